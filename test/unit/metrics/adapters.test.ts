import { describe, expect, it } from "vitest";
import {
  clientRequestHook,
  controllerMetrics,
  createOperatorMetrics,
  initControllerSeries,
  leaderElectionMetrics,
  observeSubmitToRunning,
  recordHeartbeatFailure,
  recordJobCost,
  removeProvider,
  setMarketPrices,
  setNeoJobSnapshot,
  setProviderNodes,
  setWalletBalance,
  setWalletEarnings,
  trackNeoJobs,
  trackRateBudget,
  workqueueMetrics,
  type OperatorMetrics,
} from "../../../src/metrics/index.js";

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };

async function samples(om: OperatorMetrics, name: string): Promise<Sample[]> {
  const metric = (await om.registry.getMetricsAsJSON()).find((m) => m.name === name);
  if (!metric) throw new Error(`no metric ${name}`);
  return metric.values as Sample[];
}

async function value(om: OperatorMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  await om.render(); // runs collect sources
  const sample = (await samples(om, name)).find(
    (v) => Object.keys(labels).every((k) => String(v.labels[k]) === labels[k]) && !("le" in v.labels) && v.metricName !== `${name}_sum` && v.metricName !== `${name}_count`,
  );
  return sample?.value;
}

async function histogramCount(om: OperatorMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  return (await samples(om, name)).find((v) => v.metricName === `${name}_count` && Object.keys(labels).every((k) => v.labels[k] === labels[k]))?.value;
}

describe("kube adapters", () => {
  it("workqueue hooks feed the workqueue_* metrics", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    const q = workqueueMetrics(om);
    q.add("neojob");
    q.add("neojob");
    q.depth("neojob", 7);
    q.retry("neojob");
    q.queueDuration("neojob", 0.5);
    q.workDuration("neojob", 0.25);
    expect(await value(om, "workqueue_adds_total", { name: "neojob" })).toBe(2);
    expect(await value(om, "workqueue_depth", { name: "neojob" })).toBe(7);
    expect(await value(om, "workqueue_retries_total", { name: "neojob" })).toBe(1);
    expect(await histogramCount(om, "workqueue_queue_duration_seconds", { name: "neojob" })).toBe(1);
    expect(await histogramCount(om, "workqueue_work_duration_seconds", { name: "neojob" })).toBe(1);
  });

  it("controller and leader-election hooks", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    initControllerSeries("neojob", "neojob", om);
    expect(await value(om, "controller_runtime_reconcile_errors_total", { controller: "neojob" })).toBe(0);
    const c = controllerMetrics(om);
    c.reconcile("neojob", "success");
    c.reconcile("neojob", "error");
    c.reconcileError("neojob");
    c.reconcileTime("neojob", 0.02);
    c.activeWorkers("neojob", 3);
    expect(await value(om, "controller_runtime_reconcile_total", { controller: "neojob", result: "success" })).toBe(1);
    expect(await value(om, "controller_runtime_reconcile_total", { controller: "neojob", result: "error" })).toBe(1);
    expect(await value(om, "controller_runtime_reconcile_errors_total", { controller: "neojob" })).toBe(1);
    expect(await value(om, "controller_runtime_active_workers", { controller: "neojob" })).toBe(3);
    expect(await histogramCount(om, "controller_runtime_reconcile_time_seconds", { controller: "neojob" })).toBe(1);
    const le = leaderElectionMetrics(om);
    le.masterStatus("neoengine-operator", true);
    expect(await value(om, "leader_election_master_status", { name: "neoengine-operator" })).toBe(1);
    le.masterStatus("neoengine-operator", false);
    expect(await value(om, "leader_election_master_status", { name: "neoengine-operator" })).toBe(0);
  });
});

describe("client adapters", () => {
  it("counts requests by endpoint template, method and code; 429s separately", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    const hook = clientRequestHook(om);
    hook({ endpoint: "/jobs/{id}", method: "GET", status: 200, durationMs: 12, attempt: 1 });
    hook({ endpoint: "/jobs/{id}", method: "GET", status: 429, durationMs: 3, attempt: 1, errorCode: "RATE_LIMITED" });
    hook({ endpoint: "/jobs", method: "POST", status: 0, durationMs: 5000, attempt: 2, errorCode: "NETWORK_ERROR" });
    expect(await value(om, "neoengine_api_requests_total", { endpoint: "/jobs/{id}", method: "GET", code: "200" })).toBe(1);
    expect(await value(om, "neoengine_api_requests_total", { endpoint: "/jobs/{id}", method: "GET", code: "429" })).toBe(1);
    expect(await value(om, "neoengine_api_requests_total", { endpoint: "/jobs", method: "POST", code: "0" })).toBe(1);
    expect(await value(om, "neoengine_api_rate_limited_total", { endpoint: "/jobs/{id}" })).toBe(1);
    expect(await histogramCount(om, "neoengine_api_request_duration_seconds", { endpoint: "/jobs/{id}", method: "GET" })).toBe(2);
  });

  it("reads the rate budget on every scrape and never exposes anything but the credential name", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    let remaining = 59;
    const stop = trackRateBudget(
      "team-a/neo-token",
      () => ({ minute: { limit: 60, remaining, resetAt: 0 }, day: { limit: 1000, remaining: 990, resetAt: 0 } }),
      om,
    );
    expect(await value(om, "neoengine_rate_limit_remaining", { credential: "team-a/neo-token", window: "minute" })).toBe(59);
    remaining = 10;
    expect(await value(om, "neoengine_rate_limit_remaining", { credential: "team-a/neo-token", window: "minute" })).toBe(10);
    expect(await value(om, "neoengine_rate_limit_limit", { credential: "team-a/neo-token", window: "day" })).toBe(1000);
    stop();
    expect(await value(om, "neoengine_rate_limit_remaining", { credential: "team-a/neo-token", window: "minute" })).toBeUndefined();
  });

  it("a throwing budget source does not break the scrape", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    trackRateBudget("x", () => {
      throw new Error("boom");
    }, om);
    await expect(om.render()).resolves.toContain("neoengine_rate_limit_remaining");
  });
});

describe("domain adapters", () => {
  it("NeoJob snapshot: counts per phase with zeros, oldest waiting age", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    const now = 1_000_000_000;
    let jobs = [
      { namespace: "a", phase: "Running", createdAtMs: now - 900_000 },
      { namespace: "a", phase: undefined, createdAtMs: now - 60_000 },
      { namespace: "a", phase: "Submitted", createdAtMs: now - 120_000 },
      { namespace: "b", phase: "Succeeded", createdAtMs: now - 5_000 },
    ];
    trackNeoJobs(() => jobs, () => now, om);
    expect(await value(om, "neoengine_neojobs", { namespace: "a", phase: "Pending" })).toBe(1);
    expect(await value(om, "neoengine_neojobs", { namespace: "a", phase: "Running" })).toBe(1);
    expect(await value(om, "neoengine_neojobs", { namespace: "a", phase: "Failed" })).toBe(0);
    expect(await value(om, "neoengine_neojob_waiting_oldest_seconds", { namespace: "a" })).toBe(120);
    expect(await value(om, "neoengine_neojob_waiting_oldest_seconds", { namespace: "b" })).toBe(0);
    jobs = [{ namespace: "b", phase: "Succeeded", createdAtMs: now }];
    expect(await value(om, "neoengine_neojobs", { namespace: "a", phase: "Running" })).toBeUndefined();
    setNeoJobSnapshot([], now, om);
    expect(await value(om, "neoengine_neojobs", { namespace: "b", phase: "Succeeded" })).toBe(1); // the tracker ran again
  });

  it("submit→running latency and cost", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    observeSubmitToRunning(42, om);
    observeSubmitToRunning(-1, om); // clock skew: ignored
    recordJobCost("a", "1.250000", om);
    recordJobCost("a", "0.75", om);
    recordJobCost("a", "not-a-number", om);
    expect(await histogramCount(om, "neoengine_neojob_submit_to_running_seconds")).toBe(1);
    expect(await value(om, "neoengine_neojob_cost_credits_total", { namespace: "a" })).toBeCloseTo(2.0, 9);
  });

  it("wallet, earnings and market prices", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    setWalletBalance("default", { available: "98.5", escrowed: "1.5" }, om);
    setWalletEarnings("provider/gpu", { available: "3", total: "4", withdrawn: "1" }, om);
    setMarketPrices({ cpu: { min: 0.01, avg: 0.02, max: 0.03 }, memory: null, gpu: { "nvidia-a100": { min: 1, avg: 1.5, max: 2 } } }, om);
    expect(await value(om, "neoengine_wallet_balance_credits", { credential: "default", kind: "available" })).toBe(98.5);
    expect(await value(om, "neoengine_wallet_earnings_credits", { credential: "provider/gpu", kind: "total" })).toBe(4);
    expect(await value(om, "neoengine_market_price_credits_per_hour", { resource: "gpu", gpu_model: "nvidia-a100", stat: "avg" })).toBe(1.5);
    expect(await value(om, "neoengine_market_price_credits_per_hour", { resource: "cpu", stat: "max" })).toBe(0.03);
    setMarketPrices({ gpu: {} }, om);
    expect(await value(om, "neoengine_market_price_credits_per_hour", { resource: "gpu", gpu_model: "nvidia-a100", stat: "avg" })).toBeUndefined();
  });

  it("provider nodes, GPUs, running jobs, heartbeat failures", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    setProviderNodes(
      "gpu",
      [
        { state: "Online", gpus: 8, freeGpus: 6, runningJobs: 2 },
        { state: "Online", gpus: 4, freeGpus: 4 },
        { state: "Offline", gpus: 8, freeGpus: 8 },
      ],
      om,
    );
    recordHeartbeatFailure("gpu", om);
    expect(await value(om, "neoengine_provider_nodes", { provider: "gpu", state: "Online" })).toBe(2);
    expect(await value(om, "neoengine_provider_nodes", { provider: "gpu", state: "Offline" })).toBe(1);
    expect(await value(om, "neoengine_provider_nodes", { provider: "gpu", state: "Draining" })).toBe(0);
    expect(await value(om, "neoengine_provider_gpus_total", { provider: "gpu" })).toBe(12);
    expect(await value(om, "neoengine_provider_gpus_free", { provider: "gpu" })).toBe(10);
    expect(await value(om, "neoengine_provider_gpus_busy", { provider: "gpu" })).toBe(2);
    expect(await value(om, "neoengine_provider_jobs_running", { provider: "gpu" })).toBe(2);
    expect(await value(om, "neoengine_provider_heartbeat_failures_total", { provider: "gpu" })).toBe(1);
    removeProvider("gpu", om);
    expect(await value(om, "neoengine_provider_gpus_total", { provider: "gpu" })).toBeUndefined();
    expect(await value(om, "neoengine_provider_nodes", { provider: "gpu", state: "Online" })).toBeUndefined();
  });
});
