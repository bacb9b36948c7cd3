// Metric hooks. src/kube never imports prom-client: src/metrics implements these interfaces with
// the controller-runtime metric names (workqueue_*, controller_runtime_*, leader_election_*) and
// passes them in. Every hook is optional.

export interface WorkqueueMetrics {
  /** workqueue_adds_total{name} */
  add?(queue: string): void;
  /** workqueue_depth{name} */
  depth?(queue: string, depth: number): void;
  /** workqueue_queue_duration_seconds{name}: time from add to a worker picking it up. */
  queueDuration?(queue: string, seconds: number): void;
  /** workqueue_work_duration_seconds{name}: time a worker spent on the item. */
  workDuration?(queue: string, seconds: number): void;
  /** workqueue_retries_total{name}: rate-limited re-adds. */
  retry?(queue: string): void;
}

export type ReconcileResult = "success" | "error" | "requeue_after";

export interface ControllerMetrics {
  /** controller_runtime_reconcile_total{controller,result} */
  reconcile?(controller: string, result: ReconcileResult): void;
  /** controller_runtime_reconcile_errors_total{controller} */
  reconcileError?(controller: string): void;
  /** controller_runtime_reconcile_time_seconds{controller} */
  reconcileTime?(controller: string, seconds: number): void;
  /** controller_runtime_active_workers{controller} */
  activeWorkers?(controller: string, n: number): void;
}

export interface LeaderElectionMetrics {
  /** leader_election_master_status{name}: 1 while leading, 0 otherwise. */
  masterStatus?(name: string, leading: boolean): void;
}

export interface InformerMetrics {
  /** A full list (initial, after 410, or periodic). */
  relist?(resource: string, reason: "initial" | "expired" | "periodic" | "error"): void;
  /** The watch stream was restarted. */
  watchRestart?(resource: string, reason: "closed" | "error" | "inactivity" | "expired"): void;
  /** One watch event applied to the cache. */
  event?(resource: string, type: string): void;
}

/** A pino-compatible logger subset; defaults to silence so library code never prints by itself. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
