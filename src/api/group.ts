// Identity of the NeoEngine API group and the well-known keys the operator writes on objects.
// Everything that another component must agree on (controllers, CLI, chart) is named here once.

export const GROUP = "neoengine.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

export const NEOJOB_KIND = "NeoJob";
export const NEOJOB_PLURAL = "neojobs";
export const NEOJOB_SINGULAR = "neojob";
export const NEOJOB_SHORT_NAMES = ["nj"] as const;

export const NEOPROVIDER_KIND = "NeoProvider";
export const NEOPROVIDER_PLURAL = "neoproviders";
export const NEOPROVIDER_SINGULAR = "neoprovider";
export const NEOPROVIDER_SHORT_NAMES = ["np"] as const;

/** Finalizer that makes deletion wait until the remote job is cancelled (or orphaned). */
export const FINALIZER_CANCEL_JOB = "neoengine.dev/cancel-job";

/** Annotation that adopts an existing remote job instead of submitting a new one. */
export const ANNOTATION_JOB_ID = "neoengine.dev/job-id";

/**
 * The pending-submit marker is NOT an annotation: it is `status.pendingSubmit`
 * ({@link import("./neojob.js").NeoJobPendingSubmit}). It lives in status because the CRD's
 * root-level CEL immutability rule can read `oldSelf.status` but not annotations (CEL only sees
 * metadata.name/generateName). The controller writes it through /status *before* POST /jobs and
 * clears it in the same status write that records `status.jobId`.
 */
export const PENDING_SUBMIT_STATUS_FIELD = "status.pendingSubmit";

/** Spec fields that stay mutable after submission (enforced by the CRD's CEL transition rule). */
export const NEOJOB_MUTABLE_AFTER_SUBMIT = ["suspend", "deletionPolicy", "ttlSecondsAfterFinished"] as const;
