import { z } from "zod";
import { API_VERSION, NEOJOB_KIND, NEOJOB_MUTABLE_AFTER_SUBMIT } from "./group.js";
import {
  DECIMAL_PATTERN,
  GO_DURATION_PATTERN,
  QUANTITY_PATTERN,
  conditionsSchema,
  isPositiveDecimal,
  localSecretKeyRefSchema,
  objectMetaSchema,
  timestamp,
} from "./common.js";

// NeoJob: a job a consumer runs on the NeoEngine network (design.md, "Kubernetes API decisions").
// The zod schemas are the single source: crds/neojobs.neoengine.dev.yaml is generated from them,
// and the controller parses objects with them. CEL rules (x-kubernetes-validations) are attached
// with .meta() so that the apiserver refuses bad input at kubectl-apply time, naming the field.

/** One CEL rule as the CRD carries it. */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

function cel(...rules: CelRule[]) {
  return { "x-kubernetes-validations": rules };
}

// Bounds keep the apiserver's CEL cost estimate finite (unbounded strings/lists make rules too
// expensive to admit) and are far above anything a real job needs.
const SHORT = 64;
const ARG_MAX_ITEMS = 256;
const ARG_MAX_LENGTH = 16_384;

export const neoJobEnvVarSchema = z
  .object({
    name: z.string().min(1).max(256).describe("Name of the environment variable."),
    value: z.string().max(ARG_MAX_LENGTH).default("").describe("Plain value (no references to Secrets or ConfigMaps: the job runs on a stranger's machine)."),
  })
  .describe("An environment variable with a plain value.");

export const neoJobResourcesSchema = z
  .object({
    cpu: z
      .number()
      .int()
      .min(1)
      .default(1)
      .meta({
        description: "CPU cores (integer, at least 1).",
        ...cel({ rule: "self >= 1", message: "spec.resources.cpu must be at least 1" }),
      }),
    memory: z
      .union([z.number().int().min(1), z.string().max(SHORT).regex(QUANTITY_PATTERN)])
      .default("1Gi")
      .meta({
        description: "Memory as a Kubernetes quantity, e.g. 512Mi or 4Gi (a bare integer means bytes).",
        ...cel({
          rule: "isQuantity(string(self)) && quantity(string(self)).isGreaterThan(quantity('0'))",
          message: "spec.resources.memory must be a positive quantity such as 512Mi or 4Gi",
        }),
      }),
    gpu: z
      .number()
      .int()
      .min(0)
      .default(0)
      .meta({
        description: "Number of GPUs (0 for CPU-only jobs).",
        ...cel({ rule: "self >= 0", message: "spec.resources.gpu must be at least 0" }),
      }),
    gpuModel: z
      .string()
      .max(SHORT)
      .optional()
      .describe("GPU model slug as the market names it, e.g. nvidia-a100 or nvidia-h100; any model when absent."),
  })
  .prefault({})
  .describe("Resources the job needs on the provider.");

export const neoJobPlacementSchema = z
  .object({
    minReputation: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .optional()
      .describe("Only providers with at least this reputation (0-1000) may run the job."),
    providerIds: z
      .array(z.string().min(1).max(SHORT))
      .max(ARG_MAX_ITEMS)
      .optional()
      .describe("Only these providers (prov_...) may run the job; any provider when absent."),
  })
  .describe("Constraints on which provider may run the job.");

export const neoJobOutputSchema = z
  .object({
    configMapName: z
      .string()
      .min(1)
      .max(253)
      .optional()
      .describe("ConfigMap (in the NeoJob's namespace) that receives the job's results when it finishes."),
  })
  .describe("Where the operator stores the job's results.");

export const deletionPolicySchema = z
  .enum(["Cancel", "Orphan"])
  .default("Cancel")
  .describe("What deleting the NeoJob does to the remote job: Cancel it (default) or Orphan it (leave it running).");

export const neoJobSpecSchema = z
  .object({
    image: z
      .string()
      .min(1)
      .max(1024)
      .meta({
        description: "Container image the job runs, e.g. python:3.11-slim.",
        ...cel({ rule: "self.size() > 0", message: "spec.image must not be empty" }),
      }),
    command: z
      .array(z.string().max(ARG_MAX_LENGTH))
      .max(ARG_MAX_ITEMS)
      .optional()
      .describe("Entrypoint (overrides the image's ENTRYPOINT)."),
    args: z
      .array(z.string().max(ARG_MAX_LENGTH))
      .max(ARG_MAX_ITEMS)
      .optional()
      .describe("Arguments to the entrypoint (overrides the image's CMD)."),
    env: z
      .array(neoJobEnvVarSchema)
      .max(ARG_MAX_ITEMS)
      .optional()
      .meta({
        description: "Environment variables with plain values.",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
      }),
    resources: neoJobResourcesSchema,
    maxPrice: z
      .string()
      .max(SHORT)
      .regex(DECIMAL_PATTERN)
      .refine(isPositiveDecimal, "maxPrice must be a positive decimal")
      .meta({
        description:
          'Most the job may cost per hour for all its resources together, in credits, as a decimal string such as "1.0".',
        ...cel({
          rule: "self.matches('^[0-9]+(\\\\.[0-9]+)?$') && self.matches('[1-9]')",
          message: 'spec.maxPrice must be a positive decimal string such as "1.0"',
        }),
      }),
    timeout: z
      .string()
      .max(SHORT)
      .regex(GO_DURATION_PATTERN)
      .default("1h")
      .meta({
        description: "Longest the job may run, as a Go duration such as 90s, 30m or 1h.",
        ...cel({
          rule: `self.matches('${GO_DURATION_PATTERN.source.replace(/\\/g, "\\\\")}')`,
          message: "spec.timeout must be a Go duration such as 90s, 30m or 1h",
        }),
      }),
    placement: neoJobPlacementSchema.optional(),
    credentialsSecretRef: localSecretKeyRefSchema
      .optional()
      .describe("Secret in the NeoJob's namespace with the NeoEngine token; the operator-wide default token when absent."),
    suspend: z
      .boolean()
      .default(false)
      .describe("true cancels the remote job; setting it back to false resubmits it as a new attempt."),
    backoffLimit: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(0)
      .describe("How many times a job that failed on the provider side is resubmitted."),
    ttlSecondsAfterFinished: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("Delete the NeoJob this many seconds after it finished; kept forever when absent."),
    deletionPolicy: deletionPolicySchema,
    output: neoJobOutputSchema.optional(),
  })
  .describe("Desired state of a NeoJob.");

export const neoJobPhaseSchema = z
  .enum(["Pending", "Submitted", "Scheduled", "Running", "Succeeded", "Failed", "Cancelled"])
  .describe("Lifecycle phase: Pending, Submitted, Scheduled, Running, Succeeded, Failed or Cancelled.");

export const NEOJOB_CONDITION_TYPES = ["Submitted", "Running", "Complete", "Failed", "Suspended", "Synced"] as const;
export type NeoJobConditionType = (typeof NEOJOB_CONDITION_TYPES)[number];

/**
 * The pending-submit marker (design.md "Crash safety"). Written through /status BEFORE POST /jobs;
 * cleared (set to null in a merge patch) in the same status write that sets status.jobId. While it
 * is present the spec is immutable, and after a crash the controller retries the POST with the same
 * idempotencyKey so the network returns the same job instead of creating a second one.
 */
export const neoJobPendingSubmitSchema = z
  .object({
    attempt: z.number().int().min(1).describe("Attempt number being submitted (1 for the first submission)."),
    idempotencyKey: z.string().min(1).describe("Idempotency-Key sent with POST /jobs, derived from the NeoJob uid and the attempt."),
    since: timestamp("When the submission started."),
  })
  .describe("Marker of a submission in flight: set before POST /jobs, cleared when status.jobId is recorded.");

export const neoJobStatusSchema = z
  .object({
    phase: neoJobPhaseSchema.optional(),
    jobId: z.string().optional().describe("Id of the remote job on the NeoEngine network (job_...)."),
    provider: z.string().optional().describe("Id of the provider running the job (prov_...)."),
    progress: z.number().int().min(0).max(100).optional().describe("Progress reported by the job, 0-100."),
    submittedAt: timestamp("When the job was accepted by the network.").optional(),
    startedAt: timestamp("When the job started running on a provider.").optional(),
    completedAt: timestamp("When the job finished.").optional(),
    cost: z.string().optional().describe("Credits charged for the job so far, as a decimal string."),
    attempts: z.number().int().min(0).optional().describe("Number of submissions made so far."),
    message: z.string().optional().describe("Human-readable detail about the current phase."),
    observedGeneration: z.number().int().min(0).optional().describe("metadata.generation the status was computed from."),
    pendingSubmit: neoJobPendingSubmitSchema.optional(),
    conditions: conditionsSchema(
      "Conditions: Submitted, Running, Complete, Failed, Suspended, Synced (Synced=False carries the NeoEngine error code as reason).",
    ).optional(),
  })
  .describe("Observed state of a NeoJob, mirrored from the NeoEngine network.");

export const neoJobSchema = z.looseObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(NEOJOB_KIND),
  metadata: objectMetaSchema,
  spec: neoJobSpecSchema,
  status: neoJobStatusSchema.optional(),
});

export type NeoJobSpec = z.output<typeof neoJobSpecSchema>;
export type NeoJobSpecInput = z.input<typeof neoJobSpecSchema>;
export type NeoJobStatus = z.output<typeof neoJobStatusSchema>;
export type NeoJobPhase = z.output<typeof neoJobPhaseSchema>;
export type NeoJobPendingSubmit = z.output<typeof neoJobPendingSubmitSchema>;
export type NeoJobResources = z.output<typeof neoJobResourcesSchema>;
export type NeoJob = z.output<typeof neoJobSchema>;

/** Memory as the network API wants it (a string quantity), whatever form the user wrote. */
export function memoryQuantity(resources: NeoJobResources): string {
  return typeof resources.memory === "number" ? String(resources.memory) : resources.memory;
}

/**
 * CEL transition rule at the root (it can see oldSelf.status, which a rule on spec could not):
 * once submitted, every spec field except the mutable ones must equal its old value.
 */
export function neoJobImmutabilityRule(): CelRule {
  const mutable = new Set<string>(NEOJOB_MUTABLE_AFTER_SUBMIT);
  const fields = Object.keys(neoJobSpecSchema.shape).filter((f) => !mutable.has(f));
  const same = fields.map(
    (f) => `(has(self.spec.${f}) ? (has(oldSelf.spec.${f}) && self.spec.${f} == oldSelf.spec.${f}) : !has(oldSelf.spec.${f}))`,
  );
  return {
    rule: [
      "!has(oldSelf.status)",
      "(!has(oldSelf.status.jobId) && !has(oldSelf.status.pendingSubmit))",
      // Every status write of a submitted NeoJob runs this rule; an unchanged spec (the usual
      // case) is settled by one comparison instead of one per field.
      "self.spec == oldSelf.spec",
      `(${same.join(" && ")})`,
    ].join(" || "),
    message:
      "spec is immutable once the job is submitted (status.jobId or status.pendingSubmit is set): only spec.suspend, spec.deletionPolicy and spec.ttlSecondsAfterFinished may change",
    fieldPath: ".spec",
    reason: "FieldValueForbidden",
  };
}
