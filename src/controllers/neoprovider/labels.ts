// Labels and annotations this controller puts on the objects it owns. Pods are found again
// by these after an operator restart, so they are the controller's durable memory.

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "neoengine-operator";
export const COMPONENT_LABEL = "app.kubernetes.io/component";
export const JOB_COMPONENT = "neoengine-provider-job";

/** NeoEngine job id (job_...). Label values allow the id's characters. */
export const JOB_ID_LABEL = "neoengine.dev/job-id";
/** NeoEngine provider id (prov_...) of the node the job was assigned to. */
export const PROVIDER_ID_LABEL = "neoengine.dev/provider-id";
/** Name of the NeoProvider that owns the Pod. */
export const NEOPROVIDER_LABEL = "neoengine.dev/neoprovider";
/** Node the job was assigned to. */
export const NODE_LABEL = "neoengine.dev/node";

/** Exact job id (annotations keep it even if a label value would ever need shortening). */
export const JOB_ID_ANNOTATION = "neoengine.dev/job-id";
/** What the controller has reported for the Pod: "running", then the final status. */
export const REPORTED_ANNOTATION = "neoengine.dev/reported";
/** Hourly price agreed for the job (credits/hour), for people reading the Pod. */
export const PRICE_ANNOTATION = "neoengine.dev/price";

/** Taint a cluster owner may put on nodes dedicated to network jobs; job Pods tolerate it. */
export const DEDICATED_TAINT_KEY = "neoengine.dev/dedicated";

/** Name of the ServiceAccount job Pods run as (no RBAC binds it). */
export const JOB_SERVICE_ACCOUNT = "neoengine-job";
export const NETWORK_POLICY_NAME = "neoengine-job-isolation";
export const RESOURCE_QUOTA_NAME = "neoengine-job-quota";
export const LIMIT_RANGE_NAME = "neoengine-job-limits";

/** Container name of the job inside its Pod. */
export const JOB_CONTAINER = "job";

/** Progress lines a job prints on stdout (design.md). */
export const PROGRESS_PREFIX = "neo:progress=";
