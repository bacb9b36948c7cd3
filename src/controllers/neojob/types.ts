// Ports of the NeoJob reconciler. The phases talk to the apiserver and to NeoEngine only through
// these interfaces, so unit tests drive them with plain objects and the operator wires them to
// src/kube (apiserver) and src/neoengine (network) in src/operator.

import type { NeoJob } from "../../api/index.js";
import type { Job, JobResults, SubmitJobRequest, SubmitJobResponse } from "../../neoengine/index.js";

// What a reconcile asks of the work queue (src/kube's contract): done, or look again after ms.
export { done, requeueAfter, type Action } from "../../kube/controller/action.js";

export type EventType = "Normal" | "Warning";

/** Writes to the apiserver. Every write carries the object's resourceVersion (conflict-safe). */
export interface NeoJobWriter {
  /** JSON merge patch of /status (null deletes a field); returns the object the apiserver answered. */
  patchStatus(job: NeoJob, statusPatch: Record<string, unknown>): Promise<NeoJob>;
  /** Replaces metadata.finalizers; returns the updated object. */
  setFinalizers(job: NeoJob, finalizers: string[]): Promise<NeoJob>;
  /** Deletes the NeoJob (ttlSecondsAfterFinished). */
  deleteJob(job: NeoJob): Promise<void>;
  /** Creates or replaces a ConfigMap in the NeoJob's namespace, owned by the NeoJob. */
  writeConfigMap(job: NeoJob, name: string, data: Record<string, string>): Promise<void>;
  /** Records a Kubernetes Event about the NeoJob. Best effort: failures must not fail a reconcile. */
  event(job: NeoJob, type: EventType, reason: string, message: string): Promise<void>;
}

/**
 * One credential's view of the network: the client calls the reconciler needs, plus the poller's
 * shared cache of remote job states (so tracking costs no request per job).
 */
export interface RemoteSession {
  /** Non-secret name of the credential (for logs and metrics), e.g. "default" or "secret:ns/name#key". */
  readonly credential: string;
  submit(request: SubmitJobRequest, idempotencyKey: string): Promise<SubmitJobResponse>;
  get(jobId: string): Promise<Job>;
  cancel(jobId: string): Promise<Job>;
  results(jobId: string): Promise<JobResults>;
  /** Latest state the status poller saw for the job, if any. */
  observed(jobId: string): Job | undefined;
  /** Records a state learnt by this reconciler (submit/get/cancel answers) in the shared cache. */
  remember(job: Job): void;
  /** Asks the poller to watch the job and enqueue `key` when it changes. */
  track(jobId: string, key: string): void;
  untrack(jobId: string): void;
}

/** Resolves the credential a NeoJob uses (its credentialsSecretRef, or the operator default). */
export interface SessionResolver {
  sessionFor(job: NeoJob): Promise<RemoteSession>;
}

/** Raised when a NeoJob's credentials cannot be read; `reason` goes into Synced=False. */
export class CredentialsError extends Error {
  override readonly name = "CredentialsError";
  constructor(
    readonly reason: "CredentialsNotFound" | "CredentialsInvalid" | "NoCredentials",
    message: string,
  ) {
    super(message);
  }
}

export interface ReconcilerOptions {
  writer: NeoJobWriter;
  sessions: SessionResolver;
  now?: () => number;
  /**
   * Test hook: called right after POST /jobs answered and before the status write records the
   * job id (the operator wires NEO_TEST_CRASH_AFTER_SUBMIT=1 to a SIGKILL here).
   */
  afterSubmit?: (job: NeoJob, jobId: string) => void;
  /** Called after a status write that changed the phase (metrics: submit → running latency, cost). */
  onPhaseChange?: (job: NeoJob, from: string | undefined, to: string) => void;
  log?: { info(o: object, m?: string): void; warn(o: object, m?: string): void; debug(o: object, m?: string): void };
}
