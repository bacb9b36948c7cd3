import { z } from "zod";
import { API_VERSION, NEOPROVIDER_KIND } from "./group.js";
import { DECIMAL_PATTERN, conditionsSchema, objectMetaSchema } from "./common.js";

// NeoProvider: sells a cluster's GPU nodes on the NeoEngine network (design.md; issue 5).
// Cluster-scoped, so its Secret reference names a namespace.

const decimalRule = (field: string) => ({
  "x-kubernetes-validations": [
    {
      rule: "self.matches('^[0-9]+(\\\\.[0-9]+)?$')",
      message: `${field} must be a non-negative decimal string such as "0.75"`,
    },
  ],
});

export const neoProviderPricesSchema = z
  .object({
    cpu: z
      .string()
      .max(32)
      .regex(DECIMAL_PATTERN)
      .optional()
      .meta({ description: "Ask per CPU core-hour, in credits (decimal string).", ...decimalRule("spec.prices.cpu") }),
    memory: z
      .string()
      .max(32)
      .regex(DECIMAL_PATTERN)
      .optional()
      .meta({ description: "Ask per GiB-hour of memory, in credits (decimal string).", ...decimalRule("spec.prices.memory") }),
    gpu: z
      .record(
        z.string(),
        z
          .string()
          .max(32)
          .regex(DECIMAL_PATTERN)
          .meta({ description: "Ask per device-hour, in credits (decimal string).", ...decimalRule("spec.prices.gpu[model]") }),
      )
      .optional()
      // maxProperties bounds the CEL cost estimate of the per-value rule.
      .meta({ description: "Ask per GPU device-hour keyed by model slug (nvidia-a100, nvidia-h100, ...), in credits.", maxProperties: 64 }),
  })
  .describe("Prices the nodes ask on the market, in credits per hour per unit.");

export const clusterSecretKeyRefSchema = z
  .object({
    namespace: z.string().min(1).describe("Namespace of the Secret."),
    name: z.string().min(1).describe("Name of the Secret."),
    key: z.string().min(1).default("token").describe("Key in the Secret's data that holds the provider token."),
  })
  .describe("Secret key that holds a NeoEngine provider token.");

export const neoProviderSpecSchema = z
  .object({
    nodeSelector: z
      .record(z.string(), z.string())
      .optional()
      .describe("Label selector (matchLabels) of the nodes to sell; default: every node with allocatable nvidia.com/gpu."),
    gpuModelOverrides: z
      .record(z.string(), z.string())
      .optional()
      .describe("Maps a GPU Feature Discovery product label (nvidia.com/gpu.product) to a market model slug, overriding the built-in normalisation."),
    prices: neoProviderPricesSchema,
    jobNamespace: z
      .string()
      .min(1)
      .max(63)
      .default("neoengine-jobs")
      .describe("Namespace where network jobs run as Pods."),
    runtimeClassName: z
      .string()
      .min(1)
      .optional()
      .describe("RuntimeClass of job Pods, e.g. gvisor or kata, for a sandboxed runtime."),
    maxJobsPerNode: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Most network jobs that run on one node at once; limited only by free GPUs when absent."),
    allowRootContainers: z
      .boolean()
      .default(false)
      .describe("Allow job containers to run as root; by default they run as a fixed non-root UID."),
    paused: z
      .boolean()
      .default(false)
      .describe("Stop taking new jobs and deregister the nodes once their running jobs finish."),
    drainPolicy: z
      .enum(["Graceful", "Immediate"])
      .default("Graceful")
      .describe("On pause, deletion or node removal: Graceful lets running jobs finish; Immediate stops them now."),
    credentialsSecretRef: clusterSecretKeyRefSchema
      .optional()
      .describe("Secret with the provider-scoped NeoEngine token; the operator-wide default token when absent."),
  })
  .describe("Desired state of a NeoProvider.");

export const neoProviderNodeStateSchema = z
  .enum(["Registering", "Online", "Draining", "Withdrawn", "Offline", "Error"])
  .describe("State of the node on the network: Registering, Online, Draining, Withdrawn, Offline or Error.");

export const neoProviderNodeStatusSchema = z
  .object({
    name: z.string().describe("Name of the Kubernetes Node."),
    providerId: z.string().optional().describe("Provider id the node registered as (prov_...)."),
    gpuModel: z.string().optional().describe("Market slug of the node's GPU model."),
    gpus: z.number().int().min(0).describe("Allocatable GPUs of the node."),
    freeGpus: z.number().int().min(0).describe("GPUs not requested by any Pod on the node."),
    state: neoProviderNodeStateSchema,
    runningJobs: z.number().int().min(0).default(0).describe("Network jobs running on the node."),
    message: z.string().optional().describe("Why the node is in its state (e.g. cordoned, NotReady)."),
  })
  .describe("One node sold on the network.");

export const neoProviderStatusSchema = z
  .object({
    nodes: z
      .array(neoProviderNodeStatusSchema)
      .optional()
      .meta({
        description: "Nodes sold on the network.",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
      }),
    nodeCount: z.number().int().min(0).optional().describe("Number of nodes in status.nodes (printer column NODES)."),
    gpus: z.number().int().min(0).optional().describe("Total GPUs over all nodes (printer column GPUS)."),
    freeGpus: z.number().int().min(0).optional().describe("Free GPUs over all nodes (printer column FREE)."),
    runningJobs: z.number().int().min(0).optional().describe("Network jobs running over all nodes (printer column RUNNING)."),
    earnings: z.string().optional().describe("Earnings of the provider account in credits, as a decimal string."),
    observedGeneration: z.number().int().min(0).optional().describe("metadata.generation the status was computed from."),
    conditions: conditionsSchema("Conditions of the provider, e.g. Ready and Synced.").optional(),
  })
  .describe("Observed state of a NeoProvider.");

export const neoProviderSchema = z.looseObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(NEOPROVIDER_KIND),
  metadata: objectMetaSchema,
  spec: neoProviderSpecSchema,
  status: neoProviderStatusSchema.optional(),
});

export type NeoProviderSpec = z.output<typeof neoProviderSpecSchema>;
export type NeoProviderSpecInput = z.input<typeof neoProviderSpecSchema>;
export type NeoProviderStatus = z.output<typeof neoProviderStatusSchema>;
export type NeoProviderNodeStatus = z.output<typeof neoProviderNodeStatusSchema>;
export type NeoProviderNodeState = z.output<typeof neoProviderNodeStateSchema>;
export type NeoProvider = z.output<typeof neoProviderSchema>;
