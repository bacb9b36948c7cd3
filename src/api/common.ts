import { z } from "zod";

// Shared building blocks of the CRD schemas. Every schema carries a description because the
// generator refuses undocumented fields (kubectl explain shows them to users).

/** Turns a Date (client-node's typed list results) into an RFC 3339 string; strings pass through. */
export function toRfc3339(value: unknown): unknown {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return value;
    // Drop the ".000" that toISOString adds when the apiserver gave whole seconds.
    return value.toISOString().replace(/\.000Z$/, "Z");
  }
  return value;
}

/** An RFC 3339 timestamp; accepts Date objects (list results) and strings (watch events). */
export function timestamp(description: string) {
  return z
    .preprocess(toRfc3339, z.string())
    .meta({ description, format: "date-time" });
}

/** Kubernetes resource quantity syntax (same grammar as resource.Quantity). */
export const QUANTITY_PATTERN =
  /^[+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

/** Go duration syntax as accepted by time.ParseDuration, restricted to non-negative values. */
export const GO_DURATION_PATTERN = /^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$/;

/** A positive decimal string such as "1.0" or "0.25" (credits). */
export const DECIMAL_PATTERN = /^[0-9]+(\.[0-9]+)?$/;

export function isPositiveDecimal(value: string): boolean {
  return DECIMAL_PATTERN.test(value) && /[1-9]/.test(value);
}

export const conditionStatusSchema = z.enum(["True", "False", "Unknown"]).describe("Status of the condition: True, False or Unknown.");

/** metav1.Condition, as every Kubernetes API uses it. */
export const conditionSchema = z
  .object({
    type: z.string().min(1).describe("Type of the condition, e.g. Complete or Synced."),
    status: conditionStatusSchema,
    reason: z.string().optional().describe("Machine-readable reason in CamelCase (for Synced=False: the NeoEngine error code)."),
    message: z.string().optional().describe("Human-readable explanation of the last transition."),
    lastTransitionTime: timestamp("When the condition last changed status."),
    observedGeneration: z.number().int().min(0).optional().describe("metadata.generation the condition was computed from."),
  })
  .describe("A condition in the standard metav1.Condition shape.");

export type Condition = z.output<typeof conditionSchema>;

export function conditionsSchema(description: string) {
  return z.array(conditionSchema).meta({
    description,
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["type"],
  });
}

/** A reference to a key of a Secret in the same namespace as the referencing object. */
export const localSecretKeyRefSchema = z
  .object({
    name: z.string().min(1).describe("Name of the Secret."),
    key: z.string().min(1).default("token").describe("Key in the Secret's data that holds the NeoEngine token."),
  })
  .describe("Secret key that holds a NeoEngine API token.");

/** The subset of ObjectMeta the operator reads; unknown metadata is kept as-is. */
export const objectMetaSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.preprocess(toRfc3339, z.string()).optional(),
  deletionTimestamp: z.preprocess(toRfc3339, z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
});

export type ObjectMeta = z.output<typeof objectMetaSchema>;
