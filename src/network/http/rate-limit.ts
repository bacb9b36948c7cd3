import type { RateLimits } from "../core/context.js";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface WindowState {
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export interface LimitDecision {
  allowed: boolean;
  minute: WindowState;
  day: WindowState;
  /** When refused: seconds until the exhausted window resets. */
  retryAfterSeconds: number;
}

interface Counter {
  minuteWindow: number;
  minuteCount: number;
  dayWindow: number;
  dayCount: number;
}

/**
 * Per-token limiter with two fixed windows at once: the clock minute and the UTC day.
 *
 * Why not @fastify/rate-limit: it enforces one time window per registration, and two stacked
 * registrations would each write the same X-RateLimit-* headers (the second overwriting the
 * first) and count a request refused by one window against the other. It also reads the wall
 * clock, while the tests need an injected clock to cross minute and day boundaries without
 * sleeping. This limiter checks both windows before counting, so a refused request costs
 * nothing, and reports both windows. Counters live in memory (a restart resets them, which only
 * ever errs on the generous side).
 */
export class DualWindowLimiter {
  private readonly counters = new Map<string, Counter>();
  private lastSweepDay = -1;

  constructor(private readonly now: () => number) {}

  consume(key: string, limits: RateLimits): LimitDecision {
    const now = this.now();
    const minuteWindow = Math.floor(now / MINUTE_MS);
    const dayWindow = Math.floor(now / DAY_MS);
    if (dayWindow !== this.lastSweepDay) {
      // Forget tokens idle since an earlier day so the map cannot grow without bound.
      for (const [k, c] of this.counters) if (c.dayWindow !== dayWindow) this.counters.delete(k);
      this.lastSweepDay = dayWindow;
    }
    let c = this.counters.get(key);
    if (!c) {
      c = { minuteWindow, minuteCount: 0, dayWindow, dayCount: 0 };
      this.counters.set(key, c);
    }
    if (c.minuteWindow !== minuteWindow) {
      c.minuteWindow = minuteWindow;
      c.minuteCount = 0;
    }
    if (c.dayWindow !== dayWindow) {
      c.dayWindow = dayWindow;
      c.dayCount = 0;
    }
    const minuteReset = Math.max(1, Math.ceil(((minuteWindow + 1) * MINUTE_MS - now) / 1000));
    const dayReset = Math.max(1, Math.ceil(((dayWindow + 1) * DAY_MS - now) / 1000));
    const minuteFull = c.minuteCount >= limits.perMinute;
    const dayFull = c.dayCount >= limits.perDay;
    const allowed = !minuteFull && !dayFull;
    if (allowed) {
      c.minuteCount++;
      c.dayCount++;
    }
    return {
      allowed,
      minute: { limit: limits.perMinute, remaining: Math.max(0, limits.perMinute - c.minuteCount), resetSeconds: minuteReset },
      day: { limit: limits.perDay, remaining: Math.max(0, limits.perDay - c.dayCount), resetSeconds: dayReset },
      retryAfterSeconds: dayFull ? dayReset : minuteFull ? minuteReset : 0,
    };
  }
}
