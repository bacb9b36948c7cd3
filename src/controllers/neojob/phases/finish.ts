import { isNeoEngineError } from "../../../neoengine/index.js";
import type { JobScope } from "../scope.js";
import type { ReconcilerOptions } from "../types.js";

// Phase "finish": when the job has just ended on a provider, store its results in the ConfigMap
// named by spec.output.configMapName. Runs before the status write, so a failure here retries
// the whole transition rather than losing the results.
export async function storeResults(scope: JobScope, deps: ReconcilerOptions): Promise<void> {
  const { status, job } = scope;
  const name = job.spec.output?.configMapName;
  const ended = (status.phase === "Succeeded" || status.phase === "Failed") && scope.written.phase !== status.phase;
  if (!name || !status.jobId || !ended) return;
  const session = await deps.sessions.sessionFor(job);
  let results;
  try {
    results = await session.results(status.jobId);
  } catch (err) {
    if (isNeoEngineError(err) && (err.code === "NOT_FOUND" || err.code === "CONFLICT")) {
      scope.event("Warning", "ResultsUnavailable", `results of ${status.jobId} unavailable: ${err.message}`);
      return;
    }
    throw err;
  }
  const data: Record<string, string> = {
    jobId: status.jobId,
    exitCode: results.exitCode === null ? "" : String(results.exitCode),
    cost: results.cost,
    "results.json": JSON.stringify(results, null, 2),
  };
  if (results.message) data.message = results.message;
  await deps.writer.writeConfigMap(job, name, data);
  scope.event("Normal", "ResultsStored", `results of ${status.jobId} stored in ConfigMap ${name}`);
}
