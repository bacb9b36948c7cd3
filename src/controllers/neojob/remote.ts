import { memoryQuantity, type NeoJob, type NeoJobPhase, type NeoJobSpec } from "../../api/index.js";
import type { Job, JobStatus, SubmitJobRequest } from "../../neoengine/index.js";

// Translation between the NeoJob spec/status and the network's job shape.

/** The POST /jobs body for a spec. Deterministic: a retry with the same key sends the same body. */
export function submitRequest(spec: NeoJobSpec): SubmitJobRequest {
  const request: SubmitJobRequest = {
    image: spec.image,
    resources: {
      cpu: spec.resources.cpu,
      memory: memoryQuantity(spec.resources),
      gpu: spec.resources.gpu,
      ...(spec.resources.gpuModel ? { gpuModel: spec.resources.gpuModel } : {}),
    },
    maxPrice: spec.maxPrice,
    timeout: spec.timeout,
  };
  if (spec.command?.length) request.command = spec.command;
  if (spec.args?.length) request.args = spec.args;
  if (spec.env?.length) request.env = Object.fromEntries(spec.env.map((e) => [e.name, e.value]));
  const placement = spec.placement;
  if (placement && (placement.minReputation !== undefined || placement.providerIds?.length)) {
    request.placement = {
      ...(placement.minReputation !== undefined ? { minReputation: placement.minReputation } : {}),
      ...(placement.providerIds?.length ? { providerIds: placement.providerIds } : {}),
    };
  }
  return request;
}

/** Idempotency-Key of a submission: derived from the object's uid and the attempt number. */
export function idempotencyKey(job: NeoJob, attempt: number): string {
  const uid = job.metadata.uid;
  if (!uid) throw new Error(`NeoJob ${job.metadata.namespace}/${job.metadata.name} has no uid`);
  return `neojob-${uid}-${attempt}`;
}

export const PHASE_OF_REMOTE: Record<JobStatus, NeoJobPhase> = {
  pending: "Submitted",
  scheduled: "Scheduled",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  timed_out: "Failed",
  cancelled: "Cancelled",
};

export function isRemoteTerminal(status: JobStatus): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled" || status === "timed_out";
}

/** Human text for a remote failure. */
export function failureMessage(job: Job): string {
  if (job.status === "timed_out") return `job ${job.id} exceeded its timeout${job.timeout ? ` of ${job.timeout}` : ""}`;
  const exit = job.exitCode !== undefined && job.exitCode !== null ? ` with exit code ${job.exitCode}` : "";
  return `job ${job.id} failed on provider ${job.provider ?? "?"}${exit}${job.message ? `: ${job.message}` : ""}`;
}
