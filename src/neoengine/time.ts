// Time is injected everywhere timing matters (backoff, Retry-After, rate windows) so tests
// can drive it with a fake clock and never really sleep.

export interface Clock {
  /** Milliseconds since the Unix epoch, like Date.now(). */
  now(): number;
}

/** Resolves after `ms` milliseconds; rejects with the signal's reason when aborted. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Uniform random number in [0, 1), like Math.random(). */
export type Random = () => number;

export const systemClock: Clock = { now: () => Date.now() };

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
