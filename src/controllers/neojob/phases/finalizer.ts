import { FINALIZER_CANCEL_JOB } from "../../../api/index.js";
import type { JobScope } from "../scope.js";
import type { ReconcilerOptions } from "../types.js";

// Phase "finalizer" (apply side): make sure deletion waits for the remote job to be cancelled.
export async function ensureFinalizer(scope: JobScope, deps: ReconcilerOptions): Promise<void> {
  const finalizers = scope.job.metadata.finalizers ?? [];
  if (finalizers.includes(FINALIZER_CANCEL_JOB)) return;
  const updated = await deps.writer.setFinalizers(scope.job, [...finalizers, FINALIZER_CANCEL_JOB]);
  if (updated.metadata.resourceVersion) scope.writtenVersions.push(updated.metadata.resourceVersion);
  scope.job = { ...updated, status: scope.job.status };
}
