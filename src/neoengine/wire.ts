// Wire schemas of the NeoEngine API (seed endpoints + the project's documented extensions).
// Shared by the typed client (src/neoengine/) and the reference network server
// (src/network/). One source of truth: the server validates requests with these schemas,
// the client validates responses with them, and the OpenAPI document is generated from them.
//
// Conventions (see docs/api.md):
// - Response schemas are plain (non-strict) zod objects: unknown fields are tolerated and
//   stripped, so a newer server never breaks an older client.
// - Money is credits. Request bodies and most responses carry decimal strings ("1.0",
//   "0.250000"); the ledger works in integer micro-credits (1 credit = 1,000,000 µcr).
//   Market prices are plain numbers because the seed shows them that way.
// - Times are RFC 3339 UTC strings. Durations are Go-style ("90s", "1h30m").
import { z } from "zod";

// ---------------------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------------------

export const JOB_STATUSES = ["pending", "scheduled", "running", "succeeded", "failed", "cancelled", "timed_out"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const JobStatusSchema = z.enum(JOB_STATUSES);
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled", "timed_out"];
export function isTerminalJobStatus(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

export const ERROR_CODES = [
  "INVALID_PARAMETERS",
  "UNAUTHORIZED",
  "INSUFFICIENT_FUNDS",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "RATE_LIMITED",
  "INTERNAL_ERROR",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export const ErrorCodeSchema = z.enum(ERROR_CODES);
/** HTTP status used for each error code. */
export const ERROR_HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_PARAMETERS: 400,
  UNAUTHORIZED: 401,
  INSUFFICIENT_FUNDS: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
};

export const TIERS = ["free", "pro", "enterprise"] as const;
export type Tier = (typeof TIERS)[number];
export const TierSchema = z.enum(TIERS);
/** The seed's rate-limit table (enterprise is custom per account). */
export const TIER_LIMITS: Record<Exclude<Tier, "enterprise">, { perMinute: number; perDay: number }> = {
  free: { perMinute: 60, perDay: 1000 },
  pro: { perMinute: 300, perDay: 10000 },
};

export const PROVIDER_STATES = ["online", "offline", "deregistered"] as const;
export type ProviderState = (typeof PROVIDER_STATES)[number];
export const ProviderStateSchema = z.enum(PROVIDER_STATES);

/** Job statuses a provider may report through POST /jobs/{id}/events (extension). */
export const PROVIDER_REPORTABLE_STATUSES = ["running", "succeeded", "failed", "timed_out"] as const;

// ---------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------

export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";
/** Set to "true" on a POST /jobs response that replays an earlier request with the same key. */
export const IDEMPOTENT_REPLAYED_HEADER = "idempotent-replayed";
/**
 * Rate-limit headers, sent on every authenticated response. The standard trio describes the
 * per-minute window; the Day trio (extension) the per-day window. Reset values are seconds
 * until the window resets. On 429, Retry-After is the wait for the exhausted window.
 */
export const RATE_LIMIT_HEADERS = {
  limit: "x-ratelimit-limit",
  remaining: "x-ratelimit-remaining",
  reset: "x-ratelimit-reset",
  dayLimit: "x-ratelimit-day-limit",
  dayRemaining: "x-ratelimit-day-remaining",
  dayReset: "x-ratelimit-day-reset",
  retryAfter: "retry-after",
} as const;

// ---------------------------------------------------------------------------------------
// Value formats and their parsers (shared so client and server agree exactly)
// ---------------------------------------------------------------------------------------

export const MICRO_PER_CREDIT = 1_000_000;
const CREDITS_RE = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$/;
/** "1.5" -> 1500000 micro-credits. Returns undefined when not a valid credits string. */
export function parseCreditsToMicro(value: string): number | undefined {
  if (!CREDITS_RE.test(value)) return undefined;
  const [whole = "0", frac = ""] = value.split(".");
  return Number(whole) * MICRO_PER_CREDIT + Number(frac.padEnd(6, "0"));
}
/** 1500000 -> "1.500000" (always six decimals, so strings compare and parse exactly). */
export function formatMicroCredits(micro: number): string {
  const sign = micro < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(micro));
  const whole = Math.floor(abs / MICRO_PER_CREDIT);
  const frac = String(abs % MICRO_PER_CREDIT).padStart(6, "0");
  return `${sign}${whole}.${frac}`;
}

const DURATION_RE = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
const DURATION_UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** Go-style duration ("90s", "1h30m") -> milliseconds (rounded). undefined when invalid. */
export function parseDurationMs(value: string): number | undefined {
  if (!DURATION_RE.test(value)) return undefined;
  let total = 0;
  for (const m of value.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * (DURATION_UNIT_MS[m[2] as string] ?? 0);
  }
  return Math.round(total);
}

const QUANTITY_RE = /^([0-9]+(\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const QUANTITY_FACTOR: Record<string, number> = {
  "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
/** Kubernetes-style memory quantity ("4Gi", "512Mi", "1G") -> bytes. undefined when invalid. */
export function parseQuantityBytes(value: string): number | undefined {
  const m = QUANTITY_RE.exec(value);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (QUANTITY_FACTOR[m[3] ?? ""] ?? 1));
}
/** bytes -> the largest binary unit that divides it exactly ("4Gi", "1536Mi", "1000"). */
export function formatQuantityBytes(bytes: number): string {
  for (const [unit, f] of [["Ti", 2 ** 40], ["Gi", 2 ** 30], ["Mi", 2 ** 20], ["Ki", 2 ** 10]] as const) {
    if (bytes >= f && bytes % f === 0) return `${bytes / f}${unit}`;
  }
  return String(bytes);
}

// Request-side value schemas carry the messages the API returns ("<field> must be ...").
export const CreditsStringSchema = z
  .string({ error: "must be a decimal string of credits like \"1.0\"" })
  .regex(CREDITS_RE, { error: "must be a decimal string of credits like \"1.0\" (at most 6 decimals)" });
export const PositiveCreditsStringSchema = CreditsStringSchema.refine((v) => (parseCreditsToMicro(v) ?? 0) > 0, {
  error: "must be greater than 0",
});
export const DurationStringSchema = z
  .string({ error: "must be a duration like \"90s\" or \"1h\"" })
  .refine((v) => parseDurationMs(v) !== undefined, { error: "must be a duration like \"90s\" or \"1h\"", abort: true });
export const QuantityStringSchema = z
  .string({ error: "must be a quantity like \"4Gi\"" })
  .regex(QUANTITY_RE, { error: "must be a quantity like \"4Gi\"" });
/** A quantity no larger than 1 PiB: what a node can really have, and what every store keeps exactly. */
export const MAX_NODE_QUANTITY_BYTES = 2 ** 50;
export const NodeQuantityStringSchema = QuantityStringSchema.refine(
  (v) => (parseQuantityBytes(v) ?? Infinity) <= MAX_NODE_QUANTITY_BYTES,
  { error: "must be at most 1Pi" },
);
export const GpuModelSlugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "must be a GPU model slug like \"nvidia-a100\"" });
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,254}$/;
/** Smallest and largest accepted job timeouts. */
export const MIN_TIMEOUT_MS = 1000;
export const MAX_TIMEOUT_MS = 7 * 24 * 3_600_000;

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

export const ErrorDetailsSchema = z
  .object({ field: z.string().optional(), value: z.unknown().optional() })
  .catchall(z.unknown());
export const ErrorEnvelopeSchema = z.object({
  error: z.object({
    // A string, not the enum: an older client must still read codes added later.
    code: z.string(),
    message: z.string(),
    details: ErrorDetailsSchema.nullable().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

// ---------------------------------------------------------------------------------------
// Jobs (seed)
// ---------------------------------------------------------------------------------------

export const JobResourcesSchema = z.object({
  cpu: z.number().min(1).max(1024),
  memory: QuantityStringSchema,
  gpu: z.number().int({ error: "must be an integer" }).min(0).max(64).default(0),
  gpuModel: GpuModelSlugSchema.optional(),
});
export const PlacementSchema = z.object({
  minReputation: z.number().int({ error: "must be an integer" }).min(0).max(1000).optional(),
  providerIds: z.array(z.string().min(1).max(64)).max(100).optional(),
});

export const SubmitJobRequestSchema = z.object({
  image: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).max(512),
  command: z.array(z.string().max(65536)).max(1024).optional(),
  args: z.array(z.string().max(65536)).max(1024).optional(),
  env: z
    .record(
      z.string().regex(ENV_NAME_RE, { error: "env names must be identifiers like MY_VAR" }),
      z.string({ error: "must be a string (env values are plain strings)" }).max(65536),
    )
    .optional(),
  resources: JobResourcesSchema,
  maxPrice: PositiveCreditsStringSchema,
  timeout: DurationStringSchema.refine((v) => (parseDurationMs(v) ?? 0) >= MIN_TIMEOUT_MS, {
    error: "must be at least 1s",
  }).refine((v) => (parseDurationMs(v) ?? 0) <= MAX_TIMEOUT_MS, { error: "must be at most 168h" }),
  placement: PlacementSchema.optional(),
});
export type SubmitJobRequest = z.input<typeof SubmitJobRequestSchema>;

export const SubmitJobResponseSchema = z.object({
  id: z.string(),
  status: JobStatusSchema,
  createdAt: z.string(),
});
export type SubmitJobResponse = z.infer<typeof SubmitJobResponseSchema>;

export const JobSchema = z.object({
  id: z.string(),
  status: JobStatusSchema,
  provider: z.string().nullable().optional(),
  createdAt: z.string().optional(),
  scheduledAt: z.string().nullable().optional(),
  startedAt: z.string().nullable().optional(),
  finishedAt: z.string().nullable().optional(),
  progress: z.number().int().min(0).max(100).optional(),
  image: z.string().optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  resources: z
    .object({ cpu: z.number(), memory: z.string(), gpu: z.number(), gpuModel: z.string().nullable().optional() })
    .optional(),
  maxPrice: z.string().optional(),
  timeout: z.string().optional(),
  placement: z
    .object({ minReputation: z.number().optional(), providerIds: z.array(z.string()).optional() })
    .nullable()
    .optional(),
  /** Hourly price agreed with the provider (credits/hour), once scheduled. */
  price: z.string().nullable().optional(),
  /** Credits charged, once finished. */
  cost: z.string().nullable().optional(),
  exitCode: z.number().int().nullable().optional(),
  message: z.string().nullable().optional(),
  attempts: z.number().int().optional(),
});
export type Job = z.infer<typeof JobSchema>;

export const LIST_LIMIT_DEFAULT = 20;
export const LIST_LIMIT_MAX = 100;
const limitParam = z.coerce
  .number()
  .int({ error: "must be an integer" })
  .min(1)
  .max(LIST_LIMIT_MAX)
  .default(LIST_LIMIT_DEFAULT);
const boolParam = z.enum(["true", "false"], { error: "must be true or false" }).transform((v) => v === "true");

/** GET /jobs?status=running&limit=20&cursor=... — status may be a comma-separated list. */
export const ListJobsQuerySchema = z.object({
  status: z
    .string()
    .refine((v) => v.split(",").every((s) => (JOB_STATUSES as readonly string[]).includes(s)), {
      error: `must be one or more (comma-separated) of ${JOB_STATUSES.join(", ")}`,
    })
    .transform((v) => v.split(",") as JobStatus[])
    .optional(),
  limit: limitParam,
  cursor: z.string().max(200).optional(),
});
export type ListJobsQuery = z.input<typeof ListJobsQuerySchema>;
export const ListJobsResponseSchema = z.object({
  jobs: z.array(JobSchema),
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type ListJobsResponse = z.infer<typeof ListJobsResponseSchema>;

/** GET /jobs/{id}/logs — text/plain. */
export const JobLogsQuerySchema = z.object({
  tail: z.coerce.number().int({ error: "must be an integer" }).min(0).max(100000).optional(),
  follow: boolParam.optional(),
});
export type JobLogsQuery = z.input<typeof JobLogsQuerySchema>;

export const JobOutputSchema = z.object({
  name: z.string(),
  sizeBytes: z.number().int().min(0),
  sha256: z.string(),
  contentBase64: z.string().optional(),
});
export type JobOutput = z.infer<typeof JobOutputSchema>;
/** GET /jobs/{id}/results (available once the job has finished; 409 before). */
export const JobResultsSchema = z.object({
  jobId: z.string().optional(),
  status: JobStatusSchema.optional(),
  exitCode: z.number().int().nullable(),
  message: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  cost: z.string(),
  outputs: z.array(JobOutputSchema),
});
export type JobResults = z.infer<typeof JobResultsSchema>;

// ---------------------------------------------------------------------------------------
// Providers (seed: list + details)
// ---------------------------------------------------------------------------------------

export const ProviderResourcesSchema = z.object({
  cpu: z.number(),
  memory: z.string(),
  gpu: z.number(),
  gpuModel: z.string().nullable().optional(),
  gpuMemory: z.string().nullable().optional(),
});
export const ProviderPricesSchema = z.object({
  /** credits per core-hour */
  cpu: z.string(),
  /** credits per GiB-hour */
  memory: z.string(),
  /** credits per device-hour of the provider's GPU model */
  gpu: z.string(),
});
export const ProviderSchema = z.object({
  id: z.string(),
  name: z.string(),
  region: z.string().nullable().optional(),
  state: ProviderStateSchema,
  online: z.boolean(),
  resources: ProviderResourcesSchema,
  free: z.object({ cpu: z.number(), memory: z.string(), gpu: z.number() }).optional(),
  prices: ProviderPricesSchema,
  reputation: z.number().int(),
  jobsCompleted: z.number().int(),
  jobsFailed: z.number().int().optional(),
  runningJobs: z.number().int().optional(),
  lastHeartbeatAt: z.string().nullable().optional(),
  createdAt: z.string().optional(),
});
export type Provider = z.infer<typeof ProviderSchema>;

/** GET /providers?gpu=true&minReputation=500&gpuModel=nvidia-a100&online=true */
export const ListProvidersQuerySchema = z.object({
  gpu: boolParam.optional(),
  minReputation: z.coerce.number().int({ error: "must be an integer" }).min(0).max(1000).optional(),
  gpuModel: GpuModelSlugSchema.optional(),
  online: boolParam.optional(),
  limit: limitParam,
  cursor: z.string().max(200).optional(),
});
export type ListProvidersQuery = z.input<typeof ListProvidersQuerySchema>;
export const ListProvidersResponseSchema = z.object({
  providers: z.array(ProviderSchema),
  nextCursor: z.string().nullable(),
});
export type ListProvidersResponse = z.infer<typeof ListProvidersResponseSchema>;

// ---------------------------------------------------------------------------------------
// Market (seed)
// ---------------------------------------------------------------------------------------

export const PriceRangeSchema = z.object({ min: z.number(), avg: z.number(), max: z.number() });
export type PriceRange = z.infer<typeof PriceRangeSchema>;
/** Credits per hour per unit, from online providers' asks. A resource with no offer is absent / empty. */
export const MarketPricesSchema = z.object({
  cpu: PriceRangeSchema.nullable().optional(),
  memory: PriceRangeSchema.nullable().optional(),
  gpu: z.record(z.string(), PriceRangeSchema),
});
export type MarketPrices = z.infer<typeof MarketPricesSchema>;

export const MarketStatsSchema = z.object({
  providersOnline: z.number().int(),
  providersTotal: z.number().int(),
  gpusTotal: z.number().int(),
  gpusFree: z.number().int(),
  cpusTotal: z.number().optional(),
  cpusFree: z.number().optional(),
  jobsByStatus: z.record(z.string(), z.number().int()),
  /** Credits charged for jobs that finished in the last 24 h. */
  volume24h: z.string(),
  jobsCompleted24h: z.number().int().optional(),
});
export type MarketStats = z.infer<typeof MarketStatsSchema>;

// ---------------------------------------------------------------------------------------
// Wallet (seed)
// ---------------------------------------------------------------------------------------

export const WalletBalanceSchema = z.object({
  /** Credits the account can spend (not held). */
  available: z.string(),
  /** Credits held in escrow for the account's live jobs. */
  escrowed: z.string(),
  /** Provider earnings not yet withdrawn. */
  earnings: z.string().optional(),
  currency: z.string().optional(),
});
export type WalletBalance = z.infer<typeof WalletBalanceSchema>;

export const WalletEarningsSchema = z.object({
  /** Earnings that can be withdrawn now. */
  available: z.string(),
  /** Earned over the account's lifetime (after fees). */
  total: z.string(),
  withdrawn: z.string(),
  last24h: z.string().optional(),
  jobsPaid: z.number().int().optional(),
  feeBasisPoints: z.number().int().optional(),
});
export type WalletEarnings = z.infer<typeof WalletEarningsSchema>;

export const WithdrawRequestSchema = z.object({
  amount: PositiveCreditsStringSchema,
  destination: z.string().min(1).max(256).optional(),
});
export type WithdrawRequest = z.input<typeof WithdrawRequestSchema>;
export const WithdrawResponseSchema = z.object({
  id: z.string(),
  amount: z.string(),
  destination: z.string().nullable().optional(),
  status: z.string(),
  createdAt: z.string(),
  remainingEarnings: z.string().optional(),
});
export type WithdrawResponse = z.infer<typeof WithdrawResponseSchema>;

// ---------------------------------------------------------------------------------------
// Provider protocol (EXTENSION, provider-scoped tokens)
// ---------------------------------------------------------------------------------------

export const RegisterProviderRequestSchema = z.object({
  /** Unique per account; registering an existing name again updates and returns that provider. */
  name: z.string().min(1, { error: "must not be empty" }).max(253).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
    error: "must contain only letters, digits, '.', '_' and '-'",
  }),
  region: z.string().max(64).optional(),
  resources: z.object({
    cpu: z.number().min(1).max(100000),
    memory: NodeQuantityStringSchema,
    gpu: z.number().int({ error: "must be an integer" }).min(0).max(1024).default(0),
    gpuModel: GpuModelSlugSchema.optional(),
    gpuMemory: NodeQuantityStringSchema.optional(),
  }),
  prices: z.object({ cpu: CreditsStringSchema, memory: CreditsStringSchema, gpu: CreditsStringSchema.default("0") }),
});
export type RegisterProviderRequest = z.input<typeof RegisterProviderRequestSchema>;
/** POST /providers answers the Provider (201 new, 200 existing name re-registered). */
export const RegisterProviderResponseSchema = ProviderSchema;

export const FreeCapacitySchema = z.object({
  cpu: z.number().min(0).max(100000),
  memory: NodeQuantityStringSchema,
  gpu: z.number().int({ error: "must be an integer" }).min(0).max(1024),
});
export const HeartbeatRequestSchema = z.object({ free: FreeCapacitySchema.optional() });
export type HeartbeatRequest = z.input<typeof HeartbeatRequestSchema>;
export const HeartbeatResponseSchema = z.object({
  id: z.string(),
  state: ProviderStateSchema,
  heartbeatTimeoutSeconds: z.number(),
  serverTime: z.string(),
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponseSchema>;

/**
 * GET /providers/{id}/assignments?wait=30&since=<version>. Level-based: `assignments` is the
 * full set of jobs the network currently wants this provider to run (scheduled or running);
 * a job that disappears from it (cancelled, timed out) must be stopped. With `since`, the call
 * returns as soon as `version` differs from it (or after `wait` seconds); without `since`, as
 * soon as some job is `scheduled` (not yet started) or after `wait` seconds.
 */
export const AssignmentsQuerySchema = z.object({
  wait: z.coerce.number().min(0).max(60).optional(),
  since: z.coerce.number().int({ error: "must be an integer" }).min(0).optional(),
});
export type AssignmentsQuery = z.input<typeof AssignmentsQuerySchema>;
export const AssignmentSchema = z.object({
  jobId: z.string(),
  status: JobStatusSchema,
  image: z.string(),
  command: z.array(z.string()),
  args: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  resources: z.object({ cpu: z.number(), memory: z.string(), gpu: z.number(), gpuModel: z.string().nullable().optional() }),
  timeout: z.string(),
  timeoutSeconds: z.number(),
  /** Hourly price agreed for this job (credits/hour). */
  price: z.string(),
  scheduledAt: z.string(),
  startedAt: z.string().nullable().optional(),
});
export type Assignment = z.infer<typeof AssignmentSchema>;
export const AssignmentsResponseSchema = z.object({
  version: z.number().int(),
  assignments: z.array(AssignmentSchema),
});
export type AssignmentsResponse = z.infer<typeof AssignmentsResponseSchema>;

/** POST /jobs/{id}/events — at least one field. Answers the Job. */
export const JobEventRequestSchema = z
  .object({
    status: z.enum(PROVIDER_REPORTABLE_STATUSES, { error: `must be one of ${PROVIDER_REPORTABLE_STATUSES.join(", ")}` }).optional(),
    progress: z.number().int({ error: "must be an integer" }).min(0).max(100).optional(),
    message: z.string().max(4096).optional(),
    exitCode: z.number().int({ error: "must be an integer" }).min(-2147483648).max(2147483647).optional(),
  })
  .refine((v) => v.status !== undefined || v.progress !== undefined || v.message !== undefined || v.exitCode !== undefined, {
    error: "must contain at least one of status, progress, message, exitCode",
  });
export type JobEventRequest = z.input<typeof JobEventRequestSchema>;

/** POST /jobs/{id}/logs — body is text/plain (the lines to append), or JSON {"data": "..."}. */
export const LogsAppendRequestSchema = z.object({ data: z.string({ error: "must be a string" }) });
export type LogsAppendRequest = z.input<typeof LogsAppendRequestSchema>;
export const LogsAppendResponseSchema = z.object({ jobId: z.string(), bytes: z.number().int() });
export type LogsAppendResponse = z.infer<typeof LogsAppendResponseSchema>;

/**
 * PUT /jobs/{id}/results — the provider's report. Timings and cost come from the network's own
 * records. If the job is still scheduled/running, the results also finish it (exitCode 0 →
 * succeeded, otherwise failed). Answers the JobResults.
 */
export const PutResultsRequestSchema = z.object({
  exitCode: z.number().int({ error: "must be an integer" }).min(-2147483648).max(2147483647),
  message: z.string().max(4096).optional(),
  outputs: z
    .array(
      z.object({
        name: z.string().min(1).max(253),
        sizeBytes: z.number().int().min(0),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: "must be a lowercase hex sha256" }),
        contentBase64: z.string().max(1_000_000).optional(),
      }),
    )
    .max(100)
    .optional(),
});
export type PutResultsRequest = z.input<typeof PutResultsRequestSchema>;

// ---------------------------------------------------------------------------------------
// Validation messages ("cpu must be at least 1", details {field: "resources.cpu", value: 0})
// ---------------------------------------------------------------------------------------

export interface ValidationProblem {
  message: string;
  details: { field: string; value: unknown };
}

/**
 * Turns the first zod issue into the API's INVALID_PARAMETERS message and details. `input` is
 * the value that was parsed; `prefix` names where it came from when the path is empty
 * (e.g. "body"). Used by the server for every 400 and usable by clients to pre-validate.
 */
export function describeZodError(error: z.ZodError, input: unknown, prefix = "body"): ValidationProblem {
  const issue = error.issues[0];
  if (!issue) return { message: `${prefix} is invalid`, details: { field: prefix, value: input } };
  const path = issue.path.map(String);
  const field = path.length > 0 ? path.join(".") : prefix;
  const last = path[path.length - 1];
  const name =
    last === undefined ? prefix : /^[0-9]+$/.test(last) && path.length > 1 ? `${path[path.length - 2] as string}[${last}]` : last;
  let value: unknown = input;
  for (const key of path) {
    value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  }
  const i = issue as unknown as Record<string, unknown>;
  let text: string;
  switch (issue.code) {
    case "too_small":
      text =
        i.origin === "string"
          ? Number(i.minimum) <= 1
            ? `${name} must not be empty`
            : `${name} must be at least ${String(i.minimum)} characters`
          : i.origin === "array"
            ? `${name} must have at least ${String(i.minimum)} items`
            : `${name} must be at least ${String(i.minimum)}`;
      break;
    case "too_big":
      text =
        i.origin === "string"
          ? `${name} must be at most ${String(i.maximum)} characters`
          : i.origin === "array"
            ? `${name} must have at most ${String(i.maximum)} items`
            : `${name} must be at most ${String(i.maximum)}`;
      break;
    case "invalid_type":
      if (value === undefined) text = `${name} is required`;
      else if (i.expected === "int") text = `${name} must be an integer`;
      else if (!issue.message.startsWith("Invalid input")) text = `${name} ${issue.message}`;
      else text = `${name} must be ${i.expected === "object" || i.expected === "array" ? "an" : "a"} ${String(i.expected)}`;
      break;
    case "invalid_value":
      text = `${name} must be one of ${((i.values as unknown[]) ?? []).map(String).join(", ")}`;
      break;
    case "invalid_key": {
      const inner = (i.issues as { message?: string }[] | undefined)?.[0]?.message ?? "is not allowed";
      text = `${path.slice(0, -1).join(".") || prefix} key ${JSON.stringify(name)}: ${inner}`;
      value = name;
      break;
    }
    default:
      // custom refinements and formats carry their own wording ("must be a quantity like ...")
      text = issue.message.startsWith(name) ? issue.message : `${name} ${issue.message}`;
  }
  return { message: text, details: { field, value: value === undefined ? null : value } };
}
