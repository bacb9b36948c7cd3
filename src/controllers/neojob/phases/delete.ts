import { FINALIZER_CANCEL_JOB } from "../../../api/index.js";
import { isNeoEngineError } from "../../../neoengine/index.js";
import { idempotencyKey, submitRequest } from "../remote.js";
import { isTerminalPhase, type JobScope } from "../scope.js";
import { CredentialsError, type ReconcilerOptions, type RemoteSession } from "../types.js";

// Phase "delete" (cleanup side of the finalizer): cancel the remote job (deletionPolicy Cancel,
// the default) or leave it running (Orphan), then drop the finalizer so the apiserver can remove
// the object. Runs instead of every other phase once deletionTimestamp is set.

/** 404 (gone) and 409 (already finished) both mean there is nothing left to cancel. */
export async function cancelIgnoringFinished(session: RemoteSession, jobId: string): Promise<void> {
  try {
    session.remember(await session.cancel(jobId));
  } catch (err) {
    if (isNeoEngineError(err) && (err.code === "NOT_FOUND" || err.code === "CONFLICT")) return;
    throw err;
  }
}

export async function finalizeDeletion(scope: JobScope, deps: ReconcilerOptions): Promise<void> {
  scope.halt();
  const finalizers = scope.job.metadata.finalizers ?? [];
  if (!finalizers.includes(FINALIZER_CANCEL_JOB)) return;
  const { status, job } = scope;
  let session: RemoteSession | undefined;
  try {
    session = await deps.sessions.sessionFor(job);
  } catch (err) {
    // Without credentials nothing can be cancelled; blocking deletion forever would be worse
    // (a namespace deletion removes the token Secret too). Say so and let the object go.
    if (!(err instanceof CredentialsError)) throw err;
    await deps.writer.event(job, "Warning", "CancelSkipped", `remote job not cancelled: ${err.message}`);
  }
  if (session) {
    let jobId = status.jobId;
    if (job.spec.deletionPolicy === "Cancel") {
      if (!jobId && status.pendingSubmit) {
        // Crashed between POST and status write: the same key tells us which job it made.
        const replay = await session.submit(submitRequest(job.spec), status.pendingSubmit.idempotencyKey ?? idempotencyKey(job, status.pendingSubmit.attempt));
        jobId = replay.id;
      }
      if (jobId && !isTerminalPhase(status.phase)) {
        await cancelIgnoringFinished(session, jobId);
        await deps.writer.event(job, "Normal", "Cancelled", `cancelled remote job ${jobId}`);
      }
    } else if (jobId && !isTerminalPhase(status.phase)) {
      await deps.writer.event(job, "Normal", "Orphaned", `left remote job ${jobId} running (deletionPolicy Orphan)`);
    }
    if (jobId) session.untrack(jobId);
  }
  await deps.writer.setFinalizers(
    job,
    finalizers.filter((f) => f !== FINALIZER_CANCEL_JOB),
  );
}
