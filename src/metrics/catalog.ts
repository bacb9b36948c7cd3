// Every metric the operator exports, defined once: name, help, labels, buckets.
// Names follow controller-runtime where the concept is the same, so existing dashboards and
// alerts for Go operators work; NeoEngine-specific metrics carry the `neoengine_` prefix.
// docs/metrics.md lists exactly these (test/unit/metrics/docs.test.ts keeps them in step).

import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** controller-runtime's reconcile-time buckets (seconds). */
const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60];
/** client-go's workqueue buckets: 10^-8 .. 10^1 seconds. */
const WORKQUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];
/** HTTP round trips to a NeoEngine network. */
const API_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Submit → Running waits on a market: seconds to hours. */
const SUBMIT_TO_RUNNING_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];

export function createCatalog(registry: Registry) {
  const registers = [registry];
  return {
    // --- controller-runtime compatible -----------------------------------------------------
    reconcileTotal: new Counter({
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller and result (success, error, requeue_after).",
      labelNames: ["controller", "result"] as const,
      registers,
    }),
    reconcileErrors: new Counter({
      name: "controller_runtime_reconcile_errors_total",
      help: "Total number of reconciliation errors per controller.",
      labelNames: ["controller"] as const,
      registers,
    }),
    reconcileTime: new Histogram({
      name: "controller_runtime_reconcile_time_seconds",
      help: "Length of time per reconciliation per controller.",
      labelNames: ["controller"] as const,
      buckets: RECONCILE_BUCKETS,
      registers,
    }),
    activeWorkers: new Gauge({
      name: "controller_runtime_active_workers",
      help: "Number of currently used workers per controller.",
      labelNames: ["controller"] as const,
      registers,
    }),
    workqueueDepth: new Gauge({
      name: "workqueue_depth",
      help: "Current depth of the workqueue.",
      labelNames: ["name"] as const,
      registers,
    }),
    workqueueAdds: new Counter({
      name: "workqueue_adds_total",
      help: "Total number of adds handled by the workqueue.",
      labelNames: ["name"] as const,
      registers,
    }),
    workqueueQueueDuration: new Histogram({
      name: "workqueue_queue_duration_seconds",
      help: "How long in seconds an item stays in the workqueue before being requested.",
      labelNames: ["name"] as const,
      buckets: WORKQUEUE_BUCKETS,
      registers,
    }),
    workqueueWorkDuration: new Histogram({
      name: "workqueue_work_duration_seconds",
      help: "How long in seconds processing an item from the workqueue takes.",
      labelNames: ["name"] as const,
      buckets: WORKQUEUE_BUCKETS,
      registers,
    }),
    workqueueRetries: new Counter({
      name: "workqueue_retries_total",
      help: "Total number of retries (rate-limited re-adds) handled by the workqueue.",
      labelNames: ["name"] as const,
      registers,
    }),
    leaderElectionMasterStatus: new Gauge({
      name: "leader_election_master_status",
      help: "1 while this replica holds the leader lease, 0 otherwise.",
      labelNames: ["name"] as const,
      registers,
    }),

    // --- informers ---------------------------------------------------------------------------
    informerRelists: new Counter({
      name: "neoengine_informer_relists_total",
      help: "Full lists made by an informer, by resource and reason (initial, expired, periodic, error).",
      labelNames: ["resource", "reason"] as const,
      registers,
    }),
    informerWatchRestarts: new Counter({
      name: "neoengine_informer_watch_restarts_total",
      help: "Watch streams restarted by an informer, by resource and reason (closed, error, inactivity, expired).",
      labelNames: ["resource", "reason"] as const,
      registers,
    }),

    eventsDropped: new Counter({
      name: "neoengine_events_dropped_total",
      help: "Kubernetes Events not recorded because 1,000 were already waiting to be sent (a burst of phase changes); by controller.",
      labelNames: ["controller"] as const,
      registers,
    }),

    // --- NeoEngine API client ----------------------------------------------------------------
    apiRequests: new Counter({
      name: "neoengine_api_requests_total",
      help: "HTTP attempts to a NeoEngine network by endpoint template, method and status code (0 = no response).",
      labelNames: ["endpoint", "method", "code"] as const,
      registers,
    }),
    apiRequestDuration: new Histogram({
      name: "neoengine_api_request_duration_seconds",
      help: "Time until a NeoEngine network answered (response headers) or the attempt failed.",
      labelNames: ["endpoint", "method"] as const,
      buckets: API_BUCKETS,
      registers,
    }),
    apiRateLimited: new Counter({
      name: "neoengine_api_rate_limited_total",
      help: "HTTP 429 answers received from a NeoEngine network, by endpoint template.",
      labelNames: ["endpoint"] as const,
      registers,
    }),
    rateLimitRemaining: new Gauge({
      name: "neoengine_rate_limit_remaining",
      help: "Requests left in the current rate-limit window (minute or day) of a credential.",
      labelNames: ["credential", "window"] as const,
      registers,
    }),
    rateLimitLimit: new Gauge({
      name: "neoengine_rate_limit_limit",
      help: "Requests allowed per rate-limit window (minute or day) of a credential.",
      labelNames: ["credential", "window"] as const,
      registers,
    }),

    // --- NeoJobs (consumer side) -------------------------------------------------------------
    neoJobs: new Gauge({
      name: "neoengine_neojobs",
      help: "NeoJobs known to the operator by namespace and phase.",
      labelNames: ["namespace", "phase"] as const,
      registers,
    }),
    neoJobWaitingOldest: new Gauge({
      name: "neoengine_neojob_waiting_oldest_seconds",
      help: "Age of the oldest NeoJob per namespace that is not running yet (Pending, Submitted or Scheduled); 0 when none waits.",
      labelNames: ["namespace"] as const,
      registers,
    }),
    submitToRunning: new Histogram({
      name: "neoengine_neojob_submit_to_running_seconds",
      help: "Time from a NeoJob's submission to NeoEngine until its job was first seen running.",
      buckets: SUBMIT_TO_RUNNING_BUCKETS,
      registers,
    }),
    jobCost: new Counter({
      name: "neoengine_neojob_cost_credits_total",
      help: "Credits charged for finished NeoJobs, by namespace.",
      labelNames: ["namespace"] as const,
      registers,
    }),
    walletBalance: new Gauge({
      name: "neoengine_wallet_balance_credits",
      help: "Wallet balance of a credential's account in credits, by kind (available, escrowed).",
      labelNames: ["credential", "kind"] as const,
      registers,
    }),
    walletEarnings: new Gauge({
      name: "neoengine_wallet_earnings_credits",
      help: "Provider earnings of a credential's account in credits, by kind (available, total, withdrawn).",
      labelNames: ["credential", "kind"] as const,
      registers,
    }),
    marketPrice: new Gauge({
      name: "neoengine_market_price_credits_per_hour",
      help: "Market price in credits per unit-hour from online providers' asks, by resource (cpu, memory, gpu), GPU model and statistic (min, avg, max).",
      labelNames: ["resource", "gpu_model", "stat"] as const,
      registers,
    }),

    // --- NeoProvider (provider side) ---------------------------------------------------------
    providerNodes: new Gauge({
      name: "neoengine_provider_nodes",
      help: "Cluster nodes offered through a NeoProvider, by state (Registering, Online, Draining, Withdrawn, Offline, Error).",
      labelNames: ["provider", "state"] as const,
      registers,
    }),
    providerGpusTotal: new Gauge({
      name: "neoengine_provider_gpus_total",
      help: "GPUs on the nodes a NeoProvider offers.",
      labelNames: ["provider"] as const,
      registers,
    }),
    providerGpusFree: new Gauge({
      name: "neoengine_provider_gpus_free",
      help: "GPUs a NeoProvider currently reports as free.",
      labelNames: ["provider"] as const,
      registers,
    }),
    providerGpusBusy: new Gauge({
      name: "neoengine_provider_gpus_busy",
      help: "GPUs of a NeoProvider that are in use (total minus free).",
      labelNames: ["provider"] as const,
      registers,
    }),
    providerJobsRunning: new Gauge({
      name: "neoengine_provider_jobs_running",
      help: "Network jobs running as Pods for a NeoProvider.",
      labelNames: ["provider"] as const,
      registers,
    }),
    heartbeatFailures: new Counter({
      name: "neoengine_provider_heartbeat_failures_total",
      help: "Heartbeats to the network that failed, by NeoProvider.",
      labelNames: ["provider"] as const,
      registers,
    }),
  };
}

export type MetricCatalog = ReturnType<typeof createCatalog>;
