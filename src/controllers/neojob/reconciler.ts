import { safeParseNeoJob, type NeoJob } from "../../api/index.js";
import { Backoff, handleReconcileError, type BackoffOptions } from "./error-policy.js";
import { adoptAnnotatedJob } from "./phases/adopt.js";
import { finalizeDeletion } from "./phases/delete.js";
import { ensureFinalizer } from "./phases/finalizer.js";
import { storeResults } from "./phases/finish.js";
import { submitJob } from "./phases/submit.js";
import { applySuspend } from "./phases/suspend.js";
import { trackRemoteJob } from "./phases/track.js";
import { expireFinished } from "./phases/ttl.js";
import { keyOf } from "../../kube/client/resource.js";
import { JobScope } from "./scope.js";
import { done, requeueAfter, type Action, type ReconcilerOptions } from "./types.js";

// The NeoJob reconciler: build a scope, run the phases in order, write status once, return an
// action. Apply phases run while the object lives; the cleanup phase replaces them all once
// deletionTimestamp is set. Errors from any phase go through the one error policy.

/** A cache read older than our own last write is retried after this long (if its watch event has not come first). */
const STALE_READ_REQUEUE_MS = 250;

type Phase = (scope: JobScope, deps: ReconcilerOptions) => Promise<void>;

export const APPLY_PHASES: ReadonlyArray<[string, Phase]> = [
  ["finalizer", ensureFinalizer],
  ["adopt", adoptAnnotatedJob],
  ["track", trackRemoteJob],
  ["suspend", applySuspend],
  ["submit", submitJob],
  ["finish", storeResults],
  ["ttl", expireFinished],
];

export class NeoJobReconciler {
  private readonly backoff: Backoff;
  private readonly now: () => number;

  constructor(
    private readonly deps: ReconcilerOptions,
    backoff?: BackoffOptions,
  ) {
    this.backoff = new Backoff(backoff);
    this.now = deps.now ?? Date.now;
  }

  /**
   * resourceVersions our own writes superseded, per key. The informer's cache lags behind our
   * writes; reconciling a version we know we replaced would only earn a 409 and a retry (and
   * could repeat work). Such a read is skipped: the watch event of our write enqueues the key
   * again in a moment, and a short requeue covers a watch that is slow to deliver it. Only the
   * versions are kept, not copies of the objects (memory with thousands of NeoJobs).
   */
  private readonly ownWrites = new Map<string, { uid: string; superseded: string[] }>();

  /** Reconciles one object as read from the cache (undefined = gone). */
  async reconcile(raw: unknown, key?: string): Promise<Action> {
    if (raw === undefined) {
      if (key) this.ownWrites.delete(key);
      return done();
    }
    const parsed = safeParseNeoJob(raw);
    if (!parsed.ok) {
      // The CRD's schema should make this impossible; acting on a half-understood object is worse.
      this.deps.log?.warn({ err: parsed.error.message }, "skipping a NeoJob that does not parse");
      return done();
    }
    return this.reconcileJob(parsed.value);
  }

  /** True when `job` is a version our own writes have already replaced. */
  private isSuperseded(key: string, job: NeoJob): boolean {
    const own = this.ownWrites.get(key);
    if (own && own.uid === job.metadata.uid && own.superseded.includes(job.metadata.resourceVersion ?? "")) return true;
    this.ownWrites.delete(key);
    return false;
  }

  private rememberWrites(scope: JobScope, readRv: string | undefined): void {
    const rv = scope.job.metadata.resourceVersion;
    if (!readRv || !rv || rv === readRv) return;
    // A handful of versions per key (an array is far smaller than a Set with thousands of keys).
    const superseded = [...(this.ownWrites.get(scope.key)?.superseded ?? []), readRv];
    // Versions written in between (e.g. finalizer, then marker) are superseded as well.
    for (const v of scope.writtenVersions) if (v !== rv && !superseded.includes(v)) superseded.push(v);
    this.ownWrites.set(scope.key, { uid: scope.job.metadata.uid ?? "", superseded });
  }

  async reconcileJob(job: NeoJob): Promise<Action> {
    const key = keyOf({ namespace: job.metadata.namespace, name: job.metadata.name });
    if (this.isSuperseded(key, job)) return requeueAfter(STALE_READ_REQUEUE_MS);
    const readRv = job.metadata.resourceVersion;
    const scope = new JobScope(job, this.now());
    try {
      return await this.runPhases(scope);
    } finally {
      if (!scope.job.metadata.deletionTimestamp) this.rememberWrites(scope, readRv);
    }
  }

  private async runPhases(scope: JobScope): Promise<Action> {
    const job = scope.job;
    try {
      if (job.metadata.deletionTimestamp) {
        await finalizeDeletion(scope, this.deps);
        this.backoff.forget(scope.key);
        return done();
      }
      for (const [, phase] of APPLY_PHASES) {
        await phase(scope, this.deps);
        if (scope.halted) break;
      }
      if (!scope.halted) {
        scope.markReconciled();
        await scope.flush(this.deps.writer, { onPhaseChange: this.deps.onPhaseChange });
      }
      this.backoff.forget(scope.key);
      const ms = scope.requestedRequeueMs;
      return ms === undefined ? done() : requeueAfter(ms);
    } catch (err) {
      this.deps.log?.debug({ key: scope.key, err: (err as Error).message }, "reconcile failed");
      return handleReconcileError(err, scope, this.deps.writer, this.backoff);
    }
  }
}
