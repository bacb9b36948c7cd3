import { ANNOTATION_JOB_ID } from "../../../api/index.js";
import { isNeoEngineError } from "../../../neoengine/index.js";
import { setCondition } from "../conditions.js";
import { rfc3339OrNow, type JobScope } from "../scope.js";
import type { ReconcilerOptions } from "../types.js";

// Phase "adopt": the annotation neoengine.dev/job-id attaches an existing remote job instead of
// submitting a new one. Only before anything was submitted for this object.
export async function adoptAnnotatedJob(scope: JobScope, deps: ReconcilerOptions): Promise<void> {
  const jobId = scope.job.metadata.annotations?.[ANNOTATION_JOB_ID];
  const { status } = scope;
  if (!jobId || status.jobId || status.pendingSubmit || status.attempts || status.phase === "Failed") return;
  const session = await deps.sessions.sessionFor(scope.job);
  try {
    const remote = await session.get(jobId);
    session.remember(remote);
    status.jobId = remote.id;
    status.attempts = remote.attempts ?? 1;
    status.submittedAt = rfc3339OrNow(remote.createdAt, scope.nowMs);
    status.phase = "Submitted";
    status.message = `adopted remote job ${remote.id}`;
    setCondition(status, "Submitted", "True", "Adopted", status.message, scope.now, scope.generation);
    scope.event("Normal", "Adopted", status.message);
  } catch (err) {
    if (!isNeoEngineError(err) || err.retryable) throw err;
    status.phase = "Failed";
    status.message = `cannot adopt ${jobId}: ${err.message}`;
    scope.failSync(err.code, status.message);
    setCondition(status, "Failed", "True", err.code, status.message, scope.now, scope.generation);
  }
}
