import { setCondition, isTrue } from "../conditions.js";
import { isTerminalPhase, type JobScope } from "../scope.js";
import type { ReconcilerOptions } from "../types.js";
import { cancelIgnoringFinished } from "./delete.js";

// Phase "suspend": spec.suspend=true cancels the running attempt and keeps the NeoJob Pending
// with Suspended=True; setting it back to false lets the submit phase make a new attempt.
export async function applySuspend(scope: JobScope, deps: ReconcilerOptions): Promise<void> {
  const { status, job } = scope;
  if (isTerminalPhase(status.phase)) return; // a finished job stays finished
  if (job.spec.suspend) {
    if (status.jobId) {
      const session = await deps.sessions.sessionFor(job);
      const jobId = status.jobId;
      await cancelIgnoringFinished(session, jobId);
      session.untrack(jobId);
      for (const field of ["jobId", "provider", "progress", "startedAt"] as const) delete status[field];
      scope.event("Normal", "Suspended", `cancelled remote job ${jobId} (suspend)`);
    }
    if (!isTrue(status, "Suspended") || status.phase !== "Pending") {
      status.phase = "Pending";
      status.message = "suspended";
      setCondition(status, "Suspended", "True", "Suspended", "spec.suspend is true", scope.now, scope.generation);
      setCondition(status, "Running", "False", "Suspended", "suspended", scope.now, scope.generation);
    }
    return;
  }
  if (isTrue(status, "Suspended")) {
    setCondition(status, "Suspended", "False", "Resumed", "spec.suspend is false; resubmitting as a new attempt", scope.now, scope.generation);
    scope.event("Normal", "Resumed", "resubmitting as a new attempt");
  }
}
