// The Grafana dashboard's content as data: rows of panels, each with PromQL queries.
// build.ts turns this into Grafana JSON; the Prometheus e2e test evaluates every query and the
// PNG renderer (scripts/dashboards) plots the main ones. `job` is the scrape job label the Helm
// chart's ServiceMonitor sets (jobLabel = app.kubernetes.io/name).

export const JOB = "neoengine-operator";
const J = `job="${JOB}"`;

export interface PanelQuery {
  expr: string;
  legend: string;
}

/** When a panel must show data in the e2e run (operator + NeoJob flow); "provider" panels need a NeoProvider. */
export type DataWhen = "always" | "neojob-flow" | "provider" | "wallet" | "market" | "on-trouble";

export interface PanelSpec {
  title: string;
  kind: "timeseries" | "stat";
  unit: string;
  description: string;
  queries: PanelQuery[];
  dataWhen: DataWhen;
  /** Rendered to docs/img/ by scripts/dashboards. */
  render?: string;
  stacked?: boolean;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

const q = (expr: string, legend: string): PanelQuery => ({ expr, legend });

export const DASHBOARD_ROWS: RowSpec[] = [
  {
    title: "Overview",
    panels: [
      {
        title: "Operator replicas up",
        kind: "stat",
        unit: "none",
        description: "Scrape targets of the operator that answer (one per replica).",
        queries: [q(`sum(up{${J}})`, "up")],
        dataWhen: "always",
      },
      {
        title: "Leader",
        kind: "stat",
        unit: "none",
        description: "Replicas holding the leader Lease: 1 when healthy (only with --leader-elect).",
        queries: [q(`sum(leader_election_master_status{${J}})`, "leaders")],
        dataWhen: "always",
      },
      {
        title: "NeoJobs by phase",
        kind: "timeseries",
        unit: "none",
        description: "NeoJobs in the operator's cache by phase.",
        queries: [q(`sum by (phase) (neoengine_neojobs{${J}})`, "{{phase}}")],
        dataWhen: "neojob-flow",
        render: "neojobs-by-phase",
        stacked: true,
      },
      {
        title: "Oldest waiting NeoJob",
        kind: "timeseries",
        unit: "s",
        description: "Age of the oldest NeoJob per namespace that is not running yet.",
        queries: [q(`max by (namespace) (neoengine_neojob_waiting_oldest_seconds{${J}})`, "{{namespace}}")],
        dataWhen: "neojob-flow",
      },
    ],
  },
  {
    title: "Reconciliation and workqueue",
    panels: [
      {
        title: "Reconciles per second by result",
        kind: "timeseries",
        unit: "ops",
        description: "controller_runtime_reconcile_total rate by controller and result.",
        queries: [q(`sum by (controller, result) (rate(controller_runtime_reconcile_total{${J}}[$__rate_interval]))`, "{{controller}} {{result}}")],
        dataWhen: "neojob-flow",
        render: "reconciles",
      },
      {
        title: "Reconcile errors per second",
        kind: "timeseries",
        unit: "ops",
        description: "Reconciliations that returned an error.",
        queries: [q(`sum by (controller) (rate(controller_runtime_reconcile_errors_total{${J}}[$__rate_interval]))`, "{{controller}}")],
        dataWhen: "neojob-flow",
      },
      {
        title: "Reconcile time p50 / p99",
        kind: "timeseries",
        unit: "s",
        description: "Reconciliation latency quantiles.",
        queries: [
          q(`histogram_quantile(0.5, sum by (controller, le) (rate(controller_runtime_reconcile_time_seconds_bucket{${J}}[$__rate_interval])))`, "{{controller}} p50"),
          q(`histogram_quantile(0.99, sum by (controller, le) (rate(controller_runtime_reconcile_time_seconds_bucket{${J}}[$__rate_interval])))`, "{{controller}} p99"),
        ],
        dataWhen: "neojob-flow",
        render: "reconcile-latency",
      },
      {
        title: "Workqueue depth",
        kind: "timeseries",
        unit: "none",
        description: "Items waiting per queue.",
        queries: [q(`sum by (name) (workqueue_depth{${J}})`, "{{name}}")],
        dataWhen: "neojob-flow",
      },
      {
        title: "Workqueue adds and retries per second",
        kind: "timeseries",
        unit: "ops",
        description: "Adds and rate-limited re-adds per queue.",
        queries: [
          q(`sum by (name) (rate(workqueue_adds_total{${J}}[$__rate_interval]))`, "{{name}} adds"),
          q(`sum by (name) (rate(workqueue_retries_total{${J}}[$__rate_interval]))`, "{{name}} retries"),
        ],
        dataWhen: "neojob-flow",
      },
      {
        title: "Workqueue wait and work time p99",
        kind: "timeseries",
        unit: "s",
        description: "Time in queue before a worker took the item, and time spent on it.",
        queries: [
          q(`histogram_quantile(0.99, sum by (name, le) (rate(workqueue_queue_duration_seconds_bucket{${J}}[$__rate_interval])))`, "{{name}} queue p99"),
          q(`histogram_quantile(0.99, sum by (name, le) (rate(workqueue_work_duration_seconds_bucket{${J}}[$__rate_interval])))`, "{{name}} work p99"),
        ],
        dataWhen: "neojob-flow",
      },
    ],
  },
  {
    title: "NeoEngine API",
    panels: [
      {
        title: "Requests per second by endpoint",
        kind: "timeseries",
        unit: "reqps",
        description: "HTTP attempts to the network by endpoint template and method.",
        queries: [q(`sum by (method, endpoint) (rate(neoengine_api_requests_total{${J}}[$__rate_interval]))`, "{{method}} {{endpoint}}")],
        dataWhen: "neojob-flow",
        render: "api-requests",
      },
      {
        title: "Responses per second by code",
        kind: "timeseries",
        unit: "reqps",
        description: "HTTP status codes; 0 means no response (network error or timeout).",
        queries: [q(`sum by (code) (rate(neoengine_api_requests_total{${J}}[$__rate_interval]))`, "{{code}}")],
        dataWhen: "neojob-flow",
      },
      {
        title: "429 and 5xx ratio",
        kind: "timeseries",
        unit: "percentunit",
        description: "Share of attempts answered 429, and 5xx or no response.",
        queries: [
          // "or vector(0)": no 429 series at all means a ratio of 0, not "no data".
          q(`(sum(rate(neoengine_api_requests_total{${J},code="429"}[$__rate_interval])) or vector(0)) / sum(rate(neoengine_api_requests_total{${J}}[$__rate_interval]))`, "429"),
          q(`(sum(rate(neoengine_api_requests_total{${J},code=~"5..|0"}[$__rate_interval])) or vector(0)) / sum(rate(neoengine_api_requests_total{${J}}[$__rate_interval]))`, "5xx / no response"),
        ],
        dataWhen: "neojob-flow",
      },
      {
        title: "Request latency p99 by endpoint",
        kind: "timeseries",
        unit: "s",
        description: "Time to response headers.",
        queries: [q(`histogram_quantile(0.99, sum by (endpoint, le) (rate(neoengine_api_request_duration_seconds_bucket{${J}}[$__rate_interval])))`, "{{endpoint}}")],
        dataWhen: "neojob-flow",
        render: "api-latency",
      },
      {
        title: "Rate budget remaining",
        kind: "timeseries",
        unit: "percentunit",
        description: "Share of the minute and day request budget left, per credential (non-secret name).",
        queries: [q(`neoengine_rate_limit_remaining{${J}} / neoengine_rate_limit_limit{${J}}`, "{{credential}} {{window}}")],
        dataWhen: "neojob-flow",
        render: "rate-budget",
      },
      {
        title: "429s per second",
        kind: "timeseries",
        unit: "reqps",
        description: "Rate-limited answers by endpoint; the client's limiter should keep this at 0.",
        queries: [q(`sum by (endpoint) (rate(neoengine_api_rate_limited_total{${J}}[$__rate_interval]))`, "{{endpoint}}")],
        dataWhen: "on-trouble",
      },
    ],
  },
  {
    title: "Jobs, wallet and market",
    panels: [
      {
        title: "Submit → running p50 / p90",
        kind: "timeseries",
        unit: "s",
        description: "Time from submission to NeoEngine until the job runs.",
        queries: [
          q(`histogram_quantile(0.5, sum by (le) (rate(neoengine_neojob_submit_to_running_seconds_bucket{${J}}[$__rate_interval])))`, "p50"),
          q(`histogram_quantile(0.9, sum by (le) (rate(neoengine_neojob_submit_to_running_seconds_bucket{${J}}[$__rate_interval])))`, "p90"),
        ],
        dataWhen: "neojob-flow",
      },
      {
        title: "Job cost (credits, cumulative)",
        kind: "timeseries",
        unit: "none",
        description: "Credits charged for finished NeoJobs by namespace.",
        render: "job-cost",
        queries: [q(`sum by (namespace) (neoengine_neojob_cost_credits_total{${J}})`, "{{namespace}}")],
        dataWhen: "neojob-flow",
      },
      {
        title: "Wallet balance",
        kind: "timeseries",
        unit: "none",
        description: "Available and escrowed credits per credential.",
        queries: [q(`sum by (credential, kind) (neoengine_wallet_balance_credits{${J}})`, "{{credential}} {{kind}}")],
        dataWhen: "wallet",
      },
      {
        title: "Provider earnings",
        kind: "timeseries",
        unit: "none",
        description: "Earnings (available, total, withdrawn) per provider credential.",
        queries: [q(`sum by (credential, kind) (neoengine_wallet_earnings_credits{${J}})`, "{{credential}} {{kind}}")],
        dataWhen: "provider",
      },
      {
        title: "GPU market price (avg, credits per GPU-hour)",
        kind: "timeseries",
        unit: "none",
        description: "Average ask per GPU model from online providers.",
        queries: [q(`max by (gpu_model) (neoengine_market_price_credits_per_hour{${J},resource="gpu",stat="avg"})`, "{{gpu_model}}")],
        dataWhen: "market",
      },
      {
        title: "CPU and memory market price (avg)",
        kind: "timeseries",
        unit: "none",
        description: "Credits per core-hour and per GiB-hour.",
        queries: [q(`max by (resource) (neoengine_market_price_credits_per_hour{${J},resource=~"cpu|memory",stat="avg"})`, "{{resource}}")],
        dataWhen: "market",
      },
    ],
  },
  {
    title: "Provider",
    panels: [
      {
        title: "Provider nodes by state",
        kind: "timeseries",
        unit: "none",
        description: "Nodes offered through NeoProviders by state.",
        queries: [q(`sum by (state) (neoengine_provider_nodes{${J}})`, "{{state}}")],
        dataWhen: "provider",
        stacked: true,
      },
      {
        title: "GPUs total / free / busy",
        kind: "timeseries",
        unit: "none",
        description: "GPUs on offered nodes.",
        queries: [
          q(`sum(neoengine_provider_gpus_total{${J}})`, "total"),
          q(`sum(neoengine_provider_gpus_free{${J}})`, "free"),
          q(`sum(neoengine_provider_gpus_busy{${J}})`, "busy"),
        ],
        dataWhen: "provider",
      },
      {
        title: "Provider jobs running",
        kind: "timeseries",
        unit: "none",
        description: "Network jobs running as Pods per NeoProvider.",
        queries: [q(`sum by (provider) (neoengine_provider_jobs_running{${J}})`, "{{provider}}")],
        dataWhen: "provider",
      },
      {
        title: "Failed heartbeats per second",
        kind: "timeseries",
        unit: "ops",
        description: "Heartbeats to the network that failed, per NeoProvider.",
        queries: [q(`sum by (provider) (rate(neoengine_provider_heartbeat_failures_total{${J}}[$__rate_interval]))`, "{{provider}}")],
        dataWhen: "provider",
      },
    ],
  },
  {
    title: "Process",
    panels: [
      {
        title: "Resident memory",
        kind: "timeseries",
        unit: "bytes",
        description: "RSS per replica.",
        queries: [q(`process_resident_memory_bytes{${J}}`, "{{instance}}")],
        dataWhen: "always",
        render: "memory",
      },
      {
        title: "CPU",
        kind: "timeseries",
        unit: "percentunit",
        description: "CPU seconds per second per replica.",
        queries: [q(`rate(process_cpu_seconds_total{${J}}[$__rate_interval])`, "{{instance}}")],
        dataWhen: "always",
      },
      {
        title: "Event-loop lag p99",
        kind: "timeseries",
        unit: "s",
        description: "A busy event loop delays every reconcile and HTTP call.",
        queries: [q(`nodejs_eventloop_lag_p99_seconds{${J}}`, "{{instance}}")],
        dataWhen: "always",
      },
      {
        title: "Heap used",
        kind: "timeseries",
        unit: "bytes",
        description: "V8 heap used per replica.",
        queries: [q(`nodejs_heap_size_used_bytes{${J}}`, "{{instance}}")],
        dataWhen: "always",
      },
    ],
  },
];

/** Every panel in order. */
export function allPanels(): PanelSpec[] {
  return DASHBOARD_ROWS.flatMap((row) => row.panels);
}
