// Reading the network's rate-limit headers (wire.ts RATE_LIMIT_HEADERS): the standard trio
// X-RateLimit-Limit / -Remaining / -Reset describes the per-minute window, the extension trio
// X-RateLimit-Day-Limit / -Day-Remaining / -Day-Reset the per-day window. Reset values are
// seconds until the reset; a value that can only be an epoch timestamp is accepted too.

import { RATE_LIMIT_HEADERS } from "../wire.js";
import { DAY_MS, MINUTE_MS } from "./tiers.js";

export type WindowName = "minute" | "day";

export interface WindowObservation {
  window: WindowName;
  limit: number;
  remaining: number;
  /** Epoch ms at which the window resets. */
  resetAt: number;
}

export type HeaderBag = Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function nonNegativeNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Epoch seconds are > 10^9 (2001+); anything smaller is a delta in seconds. */
const EPOCH_SECONDS_THRESHOLD = 1_000_000_000;

export function resetToEpochMs(reset: number, nowMs: number): number {
  return reset >= EPOCH_SECONDS_THRESHOLD ? reset * 1000 : nowMs + reset * 1000;
}

const NAMES: Record<WindowName, { limit: string; remaining: string; reset: string }> = {
  minute: { limit: RATE_LIMIT_HEADERS.limit, remaining: RATE_LIMIT_HEADERS.remaining, reset: RATE_LIMIT_HEADERS.reset },
  day: { limit: RATE_LIMIT_HEADERS.dayLimit, remaining: RATE_LIMIT_HEADERS.dayRemaining, reset: RATE_LIMIT_HEADERS.dayReset },
};

/** Observations for each window whose three headers are all present and numeric. */
export function parseRateLimitHeaders(headers: HeaderBag, nowMs: number): WindowObservation[] {
  const result: WindowObservation[] = [];
  for (const window of ["minute", "day"] as const) {
    const names = NAMES[window];
    const limit = nonNegativeNumber(header(headers, names.limit));
    const remaining = nonNegativeNumber(header(headers, names.remaining));
    const reset = nonNegativeNumber(header(headers, names.reset));
    if (limit === undefined || remaining === undefined || reset === undefined) continue;
    result.push({ window, limit, remaining: Math.min(remaining, limit), resetAt: resetToEpochMs(reset, nowMs) });
  }
  return result;
}

export const WINDOW_MS: Record<WindowName, number> = { minute: MINUTE_MS, day: DAY_MS };
