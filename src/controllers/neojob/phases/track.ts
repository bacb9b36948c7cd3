import { clearCondition, setCondition } from "../conditions.js";
import { PHASE_OF_REMOTE, failureMessage, isRemoteTerminal } from "../remote.js";
import { isTerminalPhase, rfc3339OrNow, type JobScope } from "../scope.js";
import type { ReconcilerOptions } from "../types.js";

type Session = Awaited<ReturnType<ReconcilerOptions["sessions"]["sessionFor"]>>;
type ObservedJob = NonNullable<ReturnType<Session["observed"]>>;

// Phase "track": mirror the remote job into status from the poller's shared cache (no request
// per job here). A provider-side failure with retries left (backoffLimit) clears the job id so
// the submit phase makes the next attempt in this same reconcile.
export async function trackRemoteJob(scope: JobScope, deps: ReconcilerOptions): Promise<void> {
  const { status, job } = scope;
  const jobId = status.jobId;
  if (!jobId || isTerminalPhase(status.phase) || job.spec.suspend) return;
  const session = await deps.sessions.sessionFor(job);
  const remote = session.observed(jobId);
  session.track(jobId, scope.key);
  if (!remote) return; // the poller enqueues this object once it has seen the job
  mirrorRemoteJob(scope, jobId, remote, session);
}

/**
 * Writes what the remote job says into the draft status. The submit phase uses it too, so the
 * status it writes is exactly what the next tracking pass computes (no second write after it).
 */
export function mirrorRemoteJob(scope: JobScope, jobId: string, remote: ObservedJob, session: Pick<Session, "untrack">): void {
  const { status, job } = scope;
  const phase = PHASE_OF_REMOTE[remote.status];
  if (remote.provider) status.provider = remote.provider;
  if (remote.progress !== undefined) status.progress = remote.progress;
  if (remote.startedAt) status.startedAt = rfc3339OrNow(remote.startedAt, scope.nowMs);
  if (remote.createdAt && !status.submittedAt) status.submittedAt = rfc3339OrNow(remote.createdAt, scope.nowMs);
  if (remote.cost) status.cost = remote.cost;
  setCondition(status, "Submitted", "True", "Submitted", `submitted as ${jobId}`, scope.now, scope.generation);
  if (remote.status === "running") setCondition(status, "Running", "True", phase, `running on ${remote.provider ?? "a provider"}`, scope.now, scope.generation);
  else clearCondition(status, "Running", phase, `remote job is ${remote.status}`, scope.now, scope.generation);

  if (!isRemoteTerminal(remote.status)) {
    status.phase = phase;
    status.message = remote.status === "pending" ? `waiting for a provider (${jobId})` : `${remote.status} on ${remote.provider ?? "?"} (${jobId})`;
    return;
  }

  session.untrack(jobId);
  status.completedAt = rfc3339OrNow(remote.finishedAt, scope.nowMs);
  if (remote.status === "succeeded") {
    status.phase = "Succeeded";
    status.progress = 100;
    status.message = `job ${jobId} succeeded on ${remote.provider ?? "?"}${remote.cost ? ` for ${remote.cost} credits` : ""}`;
    setCondition(status, "Complete", "True", "Succeeded", status.message, scope.now, scope.generation);
    return;
  }
  if (remote.status === "cancelled") {
    status.phase = "Cancelled";
    status.message = `job ${jobId} was cancelled on the network`;
    return;
  }
  // failed or timed_out on the provider side
  const attempts = status.attempts ?? 1;
  const limit = job.spec.backoffLimit;
  const why = failureMessage(remote);
  if (attempts <= limit) {
    scope.event("Warning", "Retrying", `${why}; resubmitting (retry ${attempts} of ${limit})`);
    status.message = `${why}; resubmitting`;
    status.phase = "Pending";
    for (const field of ["jobId", "provider", "progress", "startedAt", "completedAt", "cost"] as const) delete status[field];
    setCondition(status, "Submitted", "False", "Retrying", status.message, scope.now, scope.generation);
    return;
  }
  status.phase = "Failed";
  status.message = why;
  const reason = remote.status === "timed_out" ? "TimedOut" : limit > 0 ? "BackoffLimitExceeded" : "ProviderFailed";
  setCondition(status, "Failed", "True", reason, why, scope.now, scope.generation);
}
