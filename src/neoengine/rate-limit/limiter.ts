// Client-side model of the network's two rate windows (per minute and per day) for one token.
//
// Every HTTP attempt takes one unit from both windows before it is sent. When a window is
// spent the limiter waits for its reset (mode "wait", up to maxWaitMs) or refuses at once
// (mode "refuse") with a CLIENT_RATE_LIMITED error: a request that the server would answer
// with 429 is never sent. The server's X-RateLimit-* headers correct the model after each
// response, so it stays right across restarts and other clients sharing the token.
// `budget()` is what the operator's poll planner and the metrics read.

import { CLIENT_ERROR_CODES, NeoEngineError } from "../errors.js";
import type { Clock, Sleep } from "../time.js";
import { realSleep, systemClock } from "../time.js";
import type { WindowName, WindowObservation } from "./headers.js";
import { parseRateLimitHeaders, WINDOW_MS } from "./headers.js";
import type { RateLimits, Tier } from "./tiers.js";
import { TIER_LIMITS } from "./tiers.js";

export interface WindowBudget {
  /** Requests allowed in the window; null while unknown (enterprise tier not configured yet). */
  limit: number | null;
  /** Requests left in the current window; null while the limit is unknown. */
  remaining: number | null;
  /** Epoch ms when the current window resets; null before the first request. */
  resetAt: number | null;
}

export interface Budget {
  minute: WindowBudget;
  day: WindowBudget;
}

export interface RateLimiterOptions {
  /** Tier whose seed limits to start from. Default "free" (the most conservative). */
  tier?: Tier;
  /** Overrides the tier's limits (required to enforce anything client-side on enterprise). */
  limits?: RateLimits;
  /** "wait" (default): wait for the window to reset; "refuse": throw CLIENT_RATE_LIMITED at once. */
  mode?: "wait" | "refuse";
  /** In "wait" mode, the longest wait accepted; a longer one throws CLIENT_RATE_LIMITED. Default 60 s. */
  maxWaitMs?: number;
  clock?: Clock;
  sleep?: Sleep;
}

interface WindowState {
  limit: number | undefined;
  remaining: number;
  /** Epoch ms; 0 = no window open yet. */
  resetAt: number;
}

const WINDOWS: WindowName[] = ["minute", "day"];

export class RateLimiter {
  private readonly windows: Record<WindowName, WindowState>;
  private readonly mode: "wait" | "refuse";
  private readonly maxWaitMs: number;
  private readonly clock: Clock;
  private readonly sleep: Sleep;

  constructor(options: RateLimiterOptions = {}) {
    const tierLimits = TIER_LIMITS[options.tier ?? "free"];
    if (!tierLimits) throw new RangeError(`unknown tier ${String(options.tier)}`);
    const limits = { ...tierLimits, ...definedOnly(options.limits ?? {}) };
    for (const [name, value] of Object.entries(limits)) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        throw new RangeError(`rate limit ${name} must be a positive integer, got ${String(value)}`);
      }
    }
    this.windows = {
      minute: { limit: limits.perMinute, remaining: limits.perMinute ?? 0, resetAt: 0 },
      day: { limit: limits.perDay, remaining: limits.perDay ?? 0, resetAt: 0 },
    };
    this.mode = options.mode ?? "wait";
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
  }

  /** The current budget of both windows (expired windows shown as reset). */
  budget(): Budget {
    this.roll(this.clock.now());
    const view = (w: WindowState): WindowBudget => ({
      limit: w.limit ?? null,
      remaining: w.limit === undefined ? null : w.remaining,
      resetAt: w.resetAt === 0 ? null : w.resetAt,
    });
    return { minute: view(this.windows.minute), day: view(this.windows.day) };
  }

  /** Takes one request from both windows, waiting for a reset if needed (see class comment). */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.roll(now);
      const blocking = WINDOWS.filter((name) => this.isSpent(this.windows[name]));
      if (blocking.length === 0) {
        for (const name of WINDOWS) this.take(this.windows[name], name, now);
        return;
      }
      const resetAt = Math.max(...blocking.map((name) => this.windows[name].resetAt));
      const waitMs = Math.max(0, resetAt - now);
      if (this.mode === "refuse" || waitMs > this.maxWaitMs) {
        throw this.refusal(blocking, waitMs, resetAt);
      }
      await this.sleep(waitMs, signal);
    }
  }

  /** Corrects the model from a response's X-RateLimit-* headers (and Retry-After on a 429). */
  observe(
    headers: Record<string, string | string[] | undefined>,
    status: number,
    retryAfterMs?: number,
  ): void {
    const now = this.clock.now();
    const observations = parseRateLimitHeaders(headers, now);
    for (const obs of observations) this.apply(obs, now);
    if (status === 429 && observations.length === 0 && retryAfterMs !== undefined) {
      // A 429 without headers: treat the minute window as spent until Retry-After passes (or
      // the day window if the wait is longer than a minute could be).
      const name: WindowName = retryAfterMs > WINDOW_MS.minute ? "day" : "minute";
      const w = this.windows[name];
      w.remaining = 0;
      w.resetAt = now + retryAfterMs; // the server knows when it will accept requests again
    }
  }

  private apply(obs: WindowObservation, now: number): void {
    if (obs.resetAt <= now) return; // describes a window that is already over
    const w = this.windows[obs.window];
    // Our count is only comparable with the server's within the same window and the same limit
    // (a different limit means we assumed the wrong tier).
    const newWindow =
      w.limit !== obs.limit || w.resetAt === 0 || obs.resetAt > w.resetAt + 1_000;
    w.limit = obs.limit;
    // In the same window, our count may be ahead of the server's (requests still in flight),
    // so keep the smaller; a newer window replaces ours.
    w.remaining = newWindow ? obs.remaining : Math.min(w.remaining, obs.remaining);
    w.resetAt = obs.resetAt;
  }

  private roll(now: number): void {
    for (const w of Object.values(this.windows)) {
      if (w.resetAt !== 0 && now >= w.resetAt) {
        w.remaining = w.limit ?? 0;
        w.resetAt = 0; // the next request opens the next window
      }
    }
  }

  private isSpent(w: WindowState): boolean {
    // An open window with nothing left. (With an unknown limit a window only opens when a 429
    // closes it, see observe().)
    return w.resetAt !== 0 && w.remaining <= 0;
  }

  private take(w: WindowState, name: WindowName, now: number): void {
    if (w.limit === undefined) return;
    if (w.resetAt === 0) w.resetAt = now + WINDOW_MS[name];
    w.remaining = Math.max(0, w.remaining - 1);
  }

  private refusal(blocking: WindowName[], waitMs: number, resetAt: number): NeoEngineError {
    const which = blocking
      .map((name) => `${name} budget of ${this.windows[name].limit} requests`)
      .join(" and ");
    return new NeoEngineError({
      status: 429,
      code: CLIENT_ERROR_CODES.CLIENT_RATE_LIMITED,
      message:
        `client-side rate limit: the ${which} is spent; it resets at ` +
        `${new Date(resetAt).toISOString()} (in ${Math.ceil(waitMs / 1000)} s); the request was not sent`,
      details: { windows: blocking, resetAt: new Date(resetAt).toISOString() },
      retryable: true,
      retryAfterMs: waitMs,
    });
  }
}

function definedOnly(limits: RateLimits): RateLimits {
  const out: RateLimits = {};
  if (limits.perMinute !== undefined) out.perMinute = limits.perMinute;
  if (limits.perDay !== undefined) out.perDay = limits.perDay;
  return out;
}
