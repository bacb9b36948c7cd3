import type { Clock } from "../clock/clock.js";

// Rate limiters for requeues, as client-go composes them: a per-item exponential backoff (one
// failing object retries ever more slowly) combined with a global token bucket (a storm of failing
// objects cannot hammer the network or the apiserver). The delay is the larger of the two.

export interface RateLimiter {
  /** Delay before `key` may be retried; records one more failure for it. */
  when(key: string): number;
  /** Forget the failures of `key` (it reconciled successfully). */
  forget(key: string): void;
  /** Failures recorded for `key` since it was last forgotten. */
  retries(key: string): number;
}

export class ItemExponentialBackoff implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    readonly baseDelayMs = 100,
    readonly maxDelayMs = 5 * 60_000,
  ) {}

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity for large n; min() caps it.
    return Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/** Global token bucket: `qps` tokens per second, at most `burst` saved up. Reservation style. */
export class TokenBucket implements RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  when(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    // A negative balance is a reservation: wait until it would be paid back.
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  forget(): void {}

  retries(): number {
    return 0;
  }
}

/** The largest delay of several limiters (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    return Math.max(0, ...this.limiters.map((l) => l.when(key)));
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  retries(key: string): number {
    return Math.max(0, ...this.limiters.map((l) => l.retries(key)));
  }
}

export interface DefaultRateLimiterOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  qps?: number;
  burst?: number;
}

/** Per-item 100 ms → 5 min exponential backoff, and 10 requeues/s (burst 100) overall. */
export function defaultControllerRateLimiter(clock: Clock, opts: DefaultRateLimiterOptions = {}): RateLimiter {
  return new MaxOfRateLimiter(
    new ItemExponentialBackoff(opts.baseDelayMs ?? 100, opts.maxDelayMs ?? 5 * 60_000),
    new TokenBucket(opts.qps ?? 10, opts.burst ?? 100, clock),
  );
}
