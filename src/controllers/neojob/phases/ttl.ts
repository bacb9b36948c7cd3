import { isTerminalPhase, type JobScope } from "../scope.js";
import type { ReconcilerOptions } from "../types.js";

// Phase "ttl": delete a finished NeoJob ttlSecondsAfterFinished after it finished (its final
// status is written first, so watchers see the outcome before the object goes).
export async function expireFinished(scope: JobScope, deps: ReconcilerOptions): Promise<void> {
  const { status, job } = scope;
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (ttl === undefined || !isTerminalPhase(status.phase)) return;
  status.completedAt ??= scope.now;
  const dueInMs = Date.parse(status.completedAt) + ttl * 1000 - scope.nowMs;
  if (dueInMs > 0) {
    scope.requeueAfter(dueInMs);
    return;
  }
  scope.markReconciled();
  await scope.flush(deps.writer, { onPhaseChange: deps.onPhaseChange });
  await deps.writer.deleteJob(scope.job);
  scope.halt();
}
