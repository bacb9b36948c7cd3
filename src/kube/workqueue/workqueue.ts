import { realClock, type Clock, type TimerHandle } from "../clock/clock.js";
import type { WorkqueueMetrics } from "../metrics.js";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiter.js";

// A keyed work queue with client-go semantics:
// - dedupe: a key waiting in the queue is stored once however often it is added;
// - in-flight tracking: a key is never handed to two workers at once; a key added while it is
//   being processed is queued again when done() is called, so the newest state is reconciled;
// - addAfter: delayed adds (the earliest pending time wins);
// - addRateLimited/forget: per-item exponential backoff plus a global token bucket;
// - shutdown: get() returns undefined once the queue is shut down (after draining if asked).

export interface WorkQueueOptions {
  name?: string;
  clock?: Clock;
  rateLimiter?: RateLimiter;
  metrics?: WorkqueueMetrics;
}

export class WorkQueue {
  readonly name: string;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;
  private readonly metrics: WorkqueueMetrics;

  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly addedAt = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();
  private readonly waiting = new Map<string, { at: number; timer: TimerHandle }>();
  private readonly getters: Array<(key: string | undefined) => void> = [];
  private readonly drainWaiters: Array<() => void> = [];
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.name = opts.name ?? "queue";
    this.clock = opts.clock ?? realClock;
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter(this.clock);
    this.metrics = opts.metrics ?? {};
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.dirty.has(key)) return;
    this.metrics.add?.(this.name);
    this.dirty.add(key);
    this.addedAt.set(key, this.clock.now());
    if (this.processing.has(key)) return; // re-queued by done()
    this.push(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = this.clock.now() + delayMs;
    const existing = this.waiting.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.clock.clearTimeout(existing.timer);
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.waiting.set(key, { at, timer });
  }

  /** Re-adds `key` after its backoff: the error path of a reconcile. */
  addRateLimited(key: string): void {
    this.metrics.retry?.(this.name);
    this.addAfter(key, this.limiter.when(key));
  }

  /** Clears the backoff of `key`: the success path of a reconcile. */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.limiter.retries(key);
  }

  /** Next key to process, waiting for one; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this.take();
    if (key !== undefined || this.shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Marks `key` as processed; if it was added meanwhile, it goes back into the queue. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    const started = this.startedAt.get(key);
    this.startedAt.delete(key);
    if (started !== undefined) this.metrics.workDuration?.(this.name, (this.clock.now() - started) / 1000);
    if (this.dirty.has(key)) this.push(key);
    if (this.processing.size === 0) for (const w of this.drainWaiters.splice(0)) w();
  }

  /** Keys waiting to be processed (not counting delayed and in-flight ones). */
  len(): number {
    return this.queue.length;
  }

  inFlight(): number {
    return this.processing.size;
  }

  delayed(): number {
    return this.waiting.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops the queue: workers get undefined; with drain, resolves when in-flight work is done. */
  async shutdown(drain = false): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) this.clock.clearTimeout(timer);
    this.waiting.clear();
    for (const g of this.getters.splice(0)) g(undefined);
    if (drain && this.processing.size > 0) await new Promise<void>((r) => this.drainWaiters.push(r));
  }

  private push(key: string): void {
    const getter = this.getters.shift();
    if (getter) {
      this.queue.push(key);
      getter(this.take());
      return;
    }
    this.queue.push(key);
    this.metrics.depth?.(this.name, this.queue.length);
  }

  private take(): string | undefined {
    if (this.shuttingDown) return undefined;
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.metrics.depth?.(this.name, this.queue.length);
    this.dirty.delete(key);
    this.processing.add(key);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    const now = this.clock.now();
    if (added !== undefined) this.metrics.queueDuration?.(this.name, (now - added) / 1000);
    this.startedAt.set(key, now);
    return key;
  }
}

/**
 * Runs `n` workers that take keys from the queue and hand them to `process` until the queue shuts
 * down. `process` must not throw (the controller's error policy wraps it); if it does, the key is
 * still marked done so the queue never wedges.
 */
export function runWorkers(queue: WorkQueue, n: number, process: (key: string) => Promise<void>): Promise<void> {
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await process(key);
      } catch {
        // Deliberately swallowed: the error policy lives in the caller.
      } finally {
        queue.done(key);
      }
    }
  };
  return Promise.all(Array.from({ length: Math.max(1, n) }, worker)).then(() => undefined);
}
