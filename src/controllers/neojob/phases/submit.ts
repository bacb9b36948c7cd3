import { isNeoEngineError, type NeoEngineError } from "../../../neoengine/index.js";
import { clearCondition, getCondition, setCondition } from "../conditions.js";
import { idempotencyKey, submitRequest } from "../remote.js";
import { isTerminalPhase, rfc3339OrNow, type JobScope } from "../scope.js";
import type { ReconcilerOptions } from "../types.js";
import { mirrorRemoteJob } from "./track.js";

// Phase "submit": POST /jobs exactly once per attempt. The pending marker (status.pendingSubmit,
// with the attempt's Idempotency-Key) is written to the object BEFORE the POST; if the process
// dies before the job id is recorded, the next reconcile sees the marker and repeats the POST
// with the same key, and the network answers with the job it already made.

/** A refused submission stays Failed until the user changes the spec (a new generation). */
function refusedAndSpecChanged(scope: JobScope): boolean {
  const synced = getCondition(scope.status, "Synced");
  return (
    scope.status.phase === "Failed" &&
    !scope.status.jobId &&
    synced?.status === "False" &&
    synced.observedGeneration !== undefined &&
    scope.generation !== undefined &&
    synced.observedGeneration < scope.generation
  );
}

/** 4xx answers are final, except 401: a rotated token can fix it without touching the NeoJob. */
function isTerminalRefusal(err: unknown): err is NeoEngineError {
  return isNeoEngineError(err) && !err.retryable && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 429;
}

export async function submitJob(scope: JobScope, deps: ReconcilerOptions): Promise<void> {
  const { job } = scope;
  if (job.spec.suspend || scope.status.jobId) return;
  if (isTerminalPhase(scope.status.phase) && !refusedAndSpecChanged(scope)) return;
  const session = await deps.sessions.sessionFor(job);

  let marker = scope.status.pendingSubmit;
  if (!marker) {
    const attempt = (scope.status.attempts ?? 0) + 1;
    marker = { attempt, idempotencyKey: idempotencyKey(job, attempt), since: scope.now };
    scope.status.pendingSubmit = marker;
    scope.status.attempts = attempt;
    scope.status.phase = "Pending";
    scope.status.message = `submitting attempt ${attempt}`;
    delete scope.status.completedAt;
    clearCondition(scope.status, "Failed", "Submitting", scope.status.message, scope.now, scope.generation);
    // The marker is on the object before anything is sent. No Event for this internal step:
    // the phase this reconcile ends in gets one.
    await scope.flush(deps.writer, { events: false });
  }

  let answer;
  try {
    answer = await session.submit(submitRequest(job.spec), marker.idempotencyKey);
  } catch (err) {
    if (!isTerminalRefusal(err)) throw err; // 429, 5xx, network: the error policy retries, same key
    const status = scope.status;
    delete status.pendingSubmit;
    status.phase = "Failed";
    status.message = err.message;
    scope.failSync(err.code, err.message);
    setCondition(status, "Submitted", "False", err.code, err.message, scope.now, scope.generation);
    setCondition(status, "Failed", "True", err.code, err.message, scope.now, scope.generation);
    return;
  }
  deps.afterSubmit?.(job, answer.id);

  const status = scope.status;
  delete status.pendingSubmit;
  status.jobId = answer.id;
  status.phase = "Submitted";
  status.submittedAt = rfc3339OrNow(answer.createdAt, scope.nowMs);
  status.message = `submitted as ${answer.id} (attempt ${marker.attempt})`;
  clearCondition(status, "Failed", "Submitted", status.message, scope.now, scope.generation);
  // A job that has not started has made no progress; saying so now spares a write when the
  // first poll reports progress 0.
  const notStarted = answer.status === "pending" || answer.status === "scheduled";
  session.remember({ id: answer.id, status: answer.status, createdAt: answer.createdAt, ...(notStarted ? { progress: 0 } : {}) });
  session.track(answer.id, scope.key);
  // The rest as the tracking phase words it, so its next pass finds nothing to write.
  const remote = session.observed(answer.id);
  if (remote) mirrorRemoteJob(scope, answer.id, remote, session);
}
