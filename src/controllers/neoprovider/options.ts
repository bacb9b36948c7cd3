import { DEDICATED_TAINT_KEY } from "./labels.js";
import type { Toleration } from "./model/kube-types.js";

// Operator-level knobs of the provider side (the NeoProvider spec holds the per-provider ones).

export interface NeoProviderOptions {
  /**
   * Tolerations every job Pod carries, beyond the dedicated-node taint. A node tainted with
   * something not tolerated here is withdrawn. (Test clusters add kwok's fake-node taint.)
   */
  extraTolerations: Toleration[];
  /** Long-poll wait for assignments, seconds (server max 60). */
  assignmentWaitSeconds: number;
  /** Heartbeat period; default: a third of the network's heartbeat timeout. */
  heartbeatIntervalMs?: number;
  /** How often a running job's log is read (progress and log shipping). */
  logPollIntervalMs: number;
  /** Ship buffered log lines at least this often while a job runs. */
  logFlushIntervalMs: number;
  /** Bytes of log shipped per job at most; the rest is dropped with a marker line. */
  maxLogBytesPerJob: number;
  /** Bytes read from the Pods log API per read at most. */
  logReadLimitBytes: number;
  /** A job Pod unschedulable or stuck pulling its image this long fails the job. */
  pendingTimeoutMs: number;
  /** Re-reconcile every NeoProvider at least this often (status, earnings). */
  resyncIntervalMs: number;
  /** Earnings are read from /wallet/earnings at most this often per NeoProvider. */
  earningsIntervalMs: number;
  /** UID job containers run as when root is not allowed. */
  jobRunAsUser: number;
  /** emptyDir size limit of the job's writable /tmp (undefined = no limit). */
  tmpSizeLimit?: string;
  /** Workers of the NeoProvider and job-Pod queues. */
  workers: number;
  /** Region sent at registration. */
  region?: string;
}

export const DEFAULT_OPTIONS: NeoProviderOptions = {
  extraTolerations: [],
  assignmentWaitSeconds: 30,
  logPollIntervalMs: 5_000,
  logFlushIntervalMs: 10_000,
  maxLogBytesPerJob: 1024 * 1024,
  logReadLimitBytes: 256 * 1024,
  pendingTimeoutMs: 5 * 60_000,
  resyncIntervalMs: 30_000,
  earningsIntervalMs: 60_000,
  jobRunAsUser: 65532,
  workers: 4,
};

/** Tolerations of job Pods: the optional dedicated-node taint, then the configured ones. */
export function jobTolerations(options: NeoProviderOptions): Toleration[] {
  return [{ key: DEDICATED_TAINT_KEY, operator: "Exists" }, ...options.extraTolerations];
}
