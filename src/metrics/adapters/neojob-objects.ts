// Derives the NeoJob metrics from the objects themselves (the informer cache), so the
// controller needs no metric calls of its own: on every scrape, phases and waiting age are
// set from the snapshot, and a NeoJob seen for the first time with status.startedAt (or as
// finished with a cost) adds one submit→running observation (or its cost).
//
// Counting rules that keep the numbers honest:
// - The first snapshot is a baseline: jobs that already started or finished before this process
//   watched them are not counted again after a restart (the counters restart from 0 instead).
// - Only while `isActive()` (this replica leads): with two replicas, only the leader counts, so
//   a sum over replicas does not double; a standby keeps its baseline current.
// - One observation per NeoJob attempt (uid + status.attempts).

import { operatorMetrics, type OperatorMetrics } from "../registry.js";
import { creditsToNumber } from "./credits.js";
import { setNeoJobSnapshot } from "./neojob.js";

export interface NeoJobObject {
  metadata: { uid?: string; namespace?: string; creationTimestamp?: string | Date };
  status?: unknown;
}

interface StatusView {
  phase?: string;
  submittedAt?: string;
  startedAt?: string;
  cost?: string;
  attempts?: number;
}

const FINISHED = new Set(["Succeeded", "Failed", "Cancelled"]);

function ms(value: string | Date | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(n) ? n : undefined;
}

export class NeoJobObjectTracker {
  private started = new Set<string>();
  private costed = new Set<string>();
  private baselined = false;

  constructor(
    private readonly metrics: OperatorMetrics = operatorMetrics(),
    private readonly isActive: () => boolean = () => true,
  ) {}

  /** Applies one full snapshot of the NeoJobs in the cache. */
  observe(objects: Iterable<NeoJobObject>, nowMs: number): void {
    const list = [...objects];
    setNeoJobSnapshot(
      list.map((o) => ({
        namespace: o.metadata.namespace ?? "",
        phase: (o.status as StatusView | undefined)?.phase,
        createdAtMs: ms(o.metadata.creationTimestamp),
      })),
      nowMs,
      this.metrics,
    );
    const counting = this.baselined && this.isActive();
    const live = new Set<string>();
    for (const o of list) {
      const uid = o.metadata.uid;
      if (!uid) continue;
      const status = (o.status ?? {}) as StatusView;
      const key = `${uid}#${status.attempts ?? 0}`;
      live.add(key);
      if (status.startedAt && !this.started.has(key)) {
        this.started.add(key);
        const submitted = ms(status.submittedAt);
        const started = ms(status.startedAt);
        if (counting && submitted !== undefined && started !== undefined && started >= submitted) {
          this.metrics.m.submitToRunning.observe((started - submitted) / 1000);
        }
      }
      if (status.phase && FINISHED.has(status.phase) && !this.costed.has(key)) {
        this.costed.add(key);
        const cost = creditsToNumber(status.cost);
        if (counting && cost !== undefined && cost > 0) this.metrics.m.jobCost.inc({ namespace: o.metadata.namespace ?? "" }, cost);
      }
    }
    // Forget deleted NeoJobs so the sets do not grow without bound.
    for (const key of this.started) if (!live.has(key)) this.started.delete(key);
    for (const key of this.costed) if (!live.has(key)) this.costed.delete(key);
    this.baselined = true;
  }
}

/**
 * Reads the NeoJob cache on every scrape: `trackNeoJobObjects(() => informer.store.list(), () => elector.isLeader())`.
 * Replaces trackNeoJobs (phases and waiting age) and also feeds submit→running and cost.
 */
export function trackNeoJobObjects(
  snapshot: () => Iterable<NeoJobObject>,
  isActive: () => boolean = () => true,
  now: () => number = Date.now,
  metrics: OperatorMetrics = operatorMetrics(),
): () => void {
  const tracker = new NeoJobObjectTracker(metrics, isActive);
  return metrics.onCollect(() => tracker.observe(snapshot(), now()));
}
