// When to try a request again and how long to wait first.
//
// Backoff is exponential with "full jitter" (delay drawn uniformly from [0, base·2^(n-1)],
// capped), which spreads many clients' retries out instead of synchronising them.
// A server's Retry-After is a floor: we never come back earlier than it asked.

import type { NeoEngineError } from "../errors.js";
import { failedBeforeSending } from "../errors.js";
import type { Random } from "../time.js";

export interface RetryOptions {
  /** Total HTTP attempts including the first one. 1 disables retries. Default 4. */
  maxAttempts?: number;
  /** Backoff base: the cap of the first retry's jittered delay. Default 250 ms. */
  baseDelayMs?: number;
  /** Cap of any computed backoff delay. Default 10 s. */
  maxDelayMs?: number;
  /**
   * Longest Retry-After (or rate-limit reset) the client will wait inside one call. A longer
   * one (e.g. the day budget is spent) is returned to the caller as the error, with
   * `retryAfterMs` set, so it can schedule the work instead of blocking. Default 60 s.
   */
  maxRetryAfterMs?: number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

export const DEFAULT_RETRY_OPTIONS: ResolvedRetryOptions = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

export function resolveRetryOptions(options: RetryOptions | undefined): ResolvedRetryOptions {
  const resolved = { ...DEFAULT_RETRY_OPTIONS, ...stripUndefined(options ?? {}) };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be an integer >= 1, got ${resolved.maxAttempts}`);
  }
  for (const key of ["baseDelayMs", "maxDelayMs", "maxRetryAfterMs"] as const) {
    if (!Number.isFinite(resolved[key]) || resolved[key] < 0) {
      throw new RangeError(`retry.${key} must be a finite number >= 0, got ${resolved[key]}`);
    }
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Full-jitter exponential backoff for the retry after `failedAttempts` failures (1-based):
 * uniform in [0, min(maxDelayMs, baseDelayMs · 2^(failedAttempts-1))).
 */
export function backoffDelayMs(failedAttempts: number, options: ResolvedRetryOptions, random: Random): number {
  const exponent = Math.max(0, failedAttempts - 1);
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/**
 * Parses a Retry-After header: delta-seconds ("120", decimals tolerated) or an HTTP date.
 * Returns milliseconds from `nowMs`, never negative; undefined when absent or unparseable.
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP date always names a month/weekday; this rejects "-5" and other numbers Date.parse accepts.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * How a request may be repeated:
 * - "idempotent": repeating it has the same effect as sending it once (GET, PUT, DELETE,
 *   POST /jobs with an Idempotency-Key, state-asserting POSTs). Retried on every retryable error.
 * - "unsafe": repeating it could act twice (POST /jobs without a key, withdraw, register,
 *   log append). Retried only when the server certainly did not act: a 429 (rejected before
 *   processing) or a failure to connect. Never after a 5xx, a reset or a timeout.
 */
export type RetrySafety = "idempotent" | "unsafe";

export function mayRetry(error: NeoEngineError, safety: RetrySafety): boolean {
  if (!error.retryable) return false;
  if (safety === "idempotent") return true;
  return error.status === 429 || failedBeforeSending(error);
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/** Decides whether the attempt that just failed with `error` is followed by another. */
export function decideRetry(args: {
  error: NeoEngineError;
  failedAttempts: number;
  safety: RetrySafety;
  options: ResolvedRetryOptions;
  random: Random;
}): RetryDecision {
  const { error, failedAttempts, safety, options, random } = args;
  if (failedAttempts >= options.maxAttempts) return { retry: false };
  if (!mayRetry(error, safety)) return { retry: false };
  const backoff = backoffDelayMs(failedAttempts, options, random);
  if (error.retryAfterMs === undefined) return { retry: true, delayMs: backoff };
  if (error.retryAfterMs > options.maxRetryAfterMs) return { retry: false };
  return { retry: true, delayMs: Math.max(error.retryAfterMs, backoff) };
}
