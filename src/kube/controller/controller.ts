import { realClock, type Clock } from "../clock/clock.js";
import { silentLogger, type ControllerMetrics, type Logger, type WorkqueueMetrics } from "../metrics.js";
import type { Informer } from "../informer/informer.js";
import { Store } from "../informer/store.js";
import type { KubeObject } from "../informer/types.js";
import { defaultControllerRateLimiter, type RateLimiter } from "../workqueue/rate-limiter.js";
import { WorkQueue, runWorkers } from "../workqueue/workqueue.js";
import type { Action, Reconciler } from "./action.js";

// The reconcile contract: informers → keyed workqueue → N workers → reconcile(key) → Action.
//   done              → forget the key's backoff;
//   requeueAfter(ms)  → forget the backoff, come back after ms;
//   throw             → the one error policy: requeue with per-item exponential backoff (and the
//                       global token bucket), count the error.
// A key is "namespace/name" (or "name"); reconcile reads the current object from the informer's
// store itself, so it always sees the newest state, and absence means "deleted".

export interface SecondaryWatch {
  informer: Informer<KubeObject>;
  /** Keys of primary objects to reconcile when this secondary object changes. */
  mapToKeys: (obj: KubeObject) => string[];
}

export interface ControllerOptions {
  name: string;
  /** Informer of the primary resource; every change enqueues the object's key. */
  informer: Informer<KubeObject>;
  reconcile: Reconciler;
  /** Other resources whose changes map to primary keys (e.g. Secrets → NeoJobs using them). */
  watches?: SecondaryWatch[];
  workers?: number;
  rateLimiter?: RateLimiter;
  clock?: Clock;
  logger?: Logger;
  metrics?: ControllerMetrics & WorkqueueMetrics;
  /** Skip updates where only status/metadata changed (same generation)? Default false. */
  generationChangedOnly?: boolean;
}

export class Controller {
  readonly queue: WorkQueue;
  private readonly opts: ControllerOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private workers: Promise<void> | undefined;
  private active = 0;
  private unsubscribe: Array<() => void> = [];

  constructor(opts: ControllerOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? silentLogger;
    this.queue = new WorkQueue({
      name: opts.name,
      clock: this.clock,
      rateLimiter: opts.rateLimiter ?? defaultControllerRateLimiter(this.clock),
      metrics: opts.metrics,
    });
  }

  get name(): string {
    return this.opts.name;
  }

  /** Enqueues a key by hand (e.g. a poller saw the remote job change). */
  enqueue(key: string, afterMs = 0): void {
    this.queue.addAfter(key, afterMs);
  }

  /**
   * Hooks the informers up, waits until they have synced, then runs the workers in the background.
   * The informers are started by the caller (they may be shared between controllers).
   */
  async start(): Promise<void> {
    if (this.workers) return;
    const enqueue = (obj: KubeObject) => this.queue.add(Store.keyOf(obj));
    const primary = this.opts.informer.addEventHandler({
      onAdd: enqueue,
      onUpdate: (oldObj, newObj) => {
        if (
          this.opts.generationChangedOnly &&
          oldObj !== newObj &&
          oldObj.metadata.generation === newObj.metadata.generation &&
          oldObj.metadata.deletionTimestamp === newObj.metadata.deletionTimestamp
        ) {
          return;
        }
        enqueue(newObj);
      },
      onDelete: enqueue,
    });
    this.unsubscribe.push(primary);
    for (const w of this.opts.watches ?? []) {
      const map = (obj: KubeObject) => {
        for (const key of w.mapToKeys(obj)) this.queue.add(key);
      };
      this.unsubscribe.push(w.informer.addEventHandler({ onAdd: map, onUpdate: (_o, n) => map(n), onDelete: map }));
    }
    await Promise.all([this.opts.informer.waitForSync(), ...(this.opts.watches ?? []).map((w) => w.informer.waitForSync())]);
    if (this.queue.isShuttingDown()) return;
    this.workers = runWorkers(this.queue, this.opts.workers ?? 1, (key) => this.process(key));
    this.log.info({ controller: this.name, workers: this.opts.workers ?? 1 }, "controller started");
  }

  /** Stops taking work and waits for in-flight reconciles to finish. A stopped controller stays stopped. */
  async stop(): Promise<void> {
    // Shared informers outlive this controller (e.g. across leadership changes): unhook from them.
    for (const off of this.unsubscribe.splice(0)) off();
    await this.queue.shutdown(true);
    await this.workers;
    this.workers = undefined;
  }

  private async process(key: string): Promise<void> {
    const m = this.opts.metrics;
    const started = this.clock.now();
    this.active++;
    m?.activeWorkers?.(this.name, this.active);
    let action: Action | undefined;
    try {
      action = await this.opts.reconcile(key);
    } catch (err) {
      m?.reconcileError?.(this.name);
      m?.reconcile?.(this.name, "error");
      this.log.warn({ err, controller: this.name, key, retries: this.queue.numRequeues(key) }, "reconcile failed; requeued with backoff");
      this.queue.addRateLimited(key);
      return;
    } finally {
      this.active--;
      m?.activeWorkers?.(this.name, this.active);
      m?.reconcileTime?.(this.name, (this.clock.now() - started) / 1000);
    }
    this.queue.forget(key);
    if (action.kind === "requeueAfter") {
      m?.reconcile?.(this.name, "requeue_after");
      this.queue.addAfter(key, action.ms);
    } else {
      m?.reconcile?.(this.name, "success");
    }
  }
}
