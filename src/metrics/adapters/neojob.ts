// Consumer-side domain metrics: NeoJobs by phase, waiting time, submit → running latency, cost.

import { operatorMetrics, type OperatorMetrics } from "../registry.js";
import { creditsToNumber } from "./credits.js";

export const NEOJOB_PHASES = ["Pending", "Submitted", "Scheduled", "Running", "Succeeded", "Failed", "Cancelled"] as const;
const WAITING_PHASES = new Set<string>(["Pending", "Submitted", "Scheduled"]);

export interface NeoJobSample {
  namespace: string;
  /** status.phase; undefined (not reconciled yet) counts as Pending. */
  phase: string | undefined;
  /** metadata.creationTimestamp as epoch ms; used for the waiting age. */
  createdAtMs?: number;
}

/**
 * Sets neoengine_neojobs{namespace,phase} and neoengine_neojob_waiting_oldest_seconds from a
 * full snapshot (e.g. the informer cache). Every phase of a namespace that has NeoJobs gets a
 * series (0 when empty) so "no Failed jobs" reads as 0, not as no data.
 */
export function setNeoJobSnapshot(jobs: Iterable<NeoJobSample>, nowMs: number, metrics: OperatorMetrics = operatorMetrics()): void {
  const { m } = metrics;
  const counts = new Map<string, Map<string, number>>();
  const oldest = new Map<string, number>();
  for (const job of jobs) {
    const phase = job.phase ?? "Pending";
    let byPhase = counts.get(job.namespace);
    if (!byPhase) counts.set(job.namespace, (byPhase = new Map()));
    byPhase.set(phase, (byPhase.get(phase) ?? 0) + 1);
    const age = WAITING_PHASES.has(phase) && job.createdAtMs !== undefined ? Math.max(0, (nowMs - job.createdAtMs) / 1000) : 0;
    oldest.set(job.namespace, Math.max(oldest.get(job.namespace) ?? 0, age));
  }
  m.neoJobs.reset();
  m.neoJobWaitingOldest.reset();
  for (const [namespace, byPhase] of counts) {
    for (const phase of new Set<string>([...NEOJOB_PHASES, ...byPhase.keys()])) {
      m.neoJobs.set({ namespace, phase }, byPhase.get(phase) ?? 0);
    }
    m.neoJobWaitingOldest.set({ namespace }, oldest.get(namespace) ?? 0);
  }
}

/** Reads the snapshot on every scrape: `trackNeoJobs(() => informer.list().map(toSample))`. */
export function trackNeoJobs(
  snapshot: () => Iterable<NeoJobSample>,
  now: () => number = Date.now,
  metrics: OperatorMetrics = operatorMetrics(),
): () => void {
  return metrics.onCollect(() => setNeoJobSnapshot(snapshot(), now(), metrics));
}

/** Call once per NeoJob attempt when its remote job is first seen running. */
export function observeSubmitToRunning(seconds: number, metrics: OperatorMetrics = operatorMetrics()): void {
  if (Number.isFinite(seconds) && seconds >= 0) metrics.m.submitToRunning.observe(seconds);
}

/** Call once when a NeoJob finishes with a cost (decimal credits string as in status.cost). */
export function recordJobCost(namespace: string, cost: string | number, metrics: OperatorMetrics = operatorMetrics()): void {
  const credits = creditsToNumber(cost);
  if (credits !== undefined && credits > 0) metrics.m.jobCost.inc({ namespace }, credits);
}
