import { describe, expect, it } from "vitest";
import { createOperatorMetrics, NeoJobObjectTracker, setNeoProviderSnapshot, trackNeoProviders, type OperatorMetrics } from "../../../src/metrics/index.js";

async function sample(om: OperatorMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  await om.render();
  const metric = (await om.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { labels: Record<string, string | number>; value: number; metricName?: string }[];
  return values.find((v) => (v.metricName ?? name) === name && Object.entries(labels).every(([k, x]) => String(v.labels[k]) === x))?.value;
}
async function count(om: OperatorMetrics, name: string): Promise<number> {
  const metric = (await om.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; metricName?: string }[];
  return values.find((v) => v.metricName === `${name}_count`)?.value ?? 0;
}

const T0 = Date.parse("2026-11-28T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();
function job(uid: string, status: Record<string, unknown>, ns = "team-a") {
  return { metadata: { uid, namespace: ns, creationTimestamp: iso(T0) }, status };
}

describe("NeoJobObjectTracker", () => {
  it("baselines the first snapshot, then counts each start and cost once per attempt", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    const t = new NeoJobObjectTracker(om);
    // Already running / finished before this process watched them: not counted.
    t.observe([job("old-run", { phase: "Running", submittedAt: iso(T0), startedAt: iso(T0 + 5000) }), job("old-done", { phase: "Succeeded", cost: "2.5" })], T0 + 60_000);
    expect(await count(om, "neoengine_neojob_submit_to_running_seconds")).toBe(0);
    expect(await sample(om, "neoengine_neojob_cost_credits_total", { namespace: "team-a" })).toBeUndefined();

    const submitted = { phase: "Submitted", submittedAt: iso(T0 + 1000), attempts: 1 };
    t.observe([job("new", submitted)], T0 + 2000);
    const running = { ...submitted, phase: "Running", startedAt: iso(T0 + 31_000) };
    t.observe([job("new", running)], T0 + 40_000);
    t.observe([job("new", running)], T0 + 41_000); // same attempt seen again: no second observation
    expect(await count(om, "neoengine_neojob_submit_to_running_seconds")).toBe(1);
    const metric = (await om.registry.getMetricsAsJSON()).find((m) => m.name === "neoengine_neojob_submit_to_running_seconds");
    expect((metric?.values as { value: number; metricName?: string }[]).find((v) => v.metricName?.endsWith("_sum"))?.value).toBe(30);

    t.observe([job("new", { ...running, phase: "Succeeded", cost: "1.25" })], T0 + 50_000);
    t.observe([job("new", { ...running, phase: "Succeeded", cost: "1.25" })], T0 + 51_000);
    expect(await sample(om, "neoengine_neojob_cost_credits_total", { namespace: "team-a" })).toBe(1.25);

    // A new attempt of the same NeoJob (backoffLimit) counts again.
    t.observe([job("new", { phase: "Running", submittedAt: iso(T0 + 60_000), startedAt: iso(T0 + 70_000), attempts: 2 })], T0 + 71_000);
    expect(await count(om, "neoengine_neojob_submit_to_running_seconds")).toBe(2);
  });

  it("counts only while active (the leader), keeping its baseline current as a standby", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    let leading = false;
    const t = new NeoJobObjectTracker(om, () => leading);
    t.observe([], T0);
    t.observe([job("a", { phase: "Succeeded", cost: "3" })], T0 + 1000); // standby: not counted
    leading = true;
    t.observe([job("a", { phase: "Succeeded", cost: "3" }), job("b", { phase: "Failed", cost: "0.5" })], T0 + 2000);
    expect(await sample(om, "neoengine_neojob_cost_credits_total", { namespace: "team-a" })).toBe(0.5);
  });

  it("also sets phases and the waiting age", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    new NeoJobObjectTracker(om).observe([job("p", { phase: "Submitted" }), job("q", {})], T0 + 90_000);
    expect(await sample(om, "neoengine_neojobs", { namespace: "team-a", phase: "Submitted" })).toBe(1);
    expect(await sample(om, "neoengine_neojobs", { namespace: "team-a", phase: "Pending" })).toBe(1);
    expect(await sample(om, "neoengine_neojob_waiting_oldest_seconds", { namespace: "team-a" })).toBe(90);
  });
});

describe("NeoProvider objects", () => {
  it("sets node, GPU and job gauges from status.nodes and drops deleted providers", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    let providers = [
      {
        metadata: { name: "gpus" },
        status: {
          nodes: [
            { name: "n1", state: "Online", gpus: 8, freeGpus: 5, runningJobs: 3 },
            { name: "n2", state: "Offline", gpus: 4, freeGpus: 4, runningJobs: 0 },
          ],
        },
      },
    ];
    trackNeoProviders(() => providers, om);
    expect(await sample(om, "neoengine_provider_nodes", { provider: "gpus", state: "Offline" })).toBe(1);
    expect(await sample(om, "neoengine_provider_gpus_busy", { provider: "gpus" })).toBe(3);
    expect(await sample(om, "neoengine_provider_jobs_running", { provider: "gpus" })).toBe(3);
    providers = [];
    expect(await sample(om, "neoengine_provider_gpus_total", { provider: "gpus" })).toBeUndefined();
  });

  it("ignores malformed node entries instead of failing the scrape", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    setNeoProviderSnapshot([{ metadata: { name: "x" }, status: { nodes: [{ state: "Online" }, { state: "Online", gpus: 2, freeGpus: 2 }] } }], new Set(), om);
    expect(await sample(om, "neoengine_provider_gpus_total", { provider: "x" })).toBe(2);
  });
});

describe("providerHooks", () => {
  it("maps the NeoProvider controller's hooks to the provider gauges", async () => {
    const { providerHooks } = await import("../../../src/metrics/index.js");
    const om = createOperatorMetrics({ defaultMetrics: false });
    const hooks = providerHooks(om);
    hooks.onNodes("farm", [{ state: "Online", gpus: 4, freeGpus: 1, runningJobs: 3 }]);
    hooks.onHeartbeatFailure("farm");
    expect(await sample(om, "neoengine_provider_gpus_busy", { provider: "farm" })).toBe(3);
    expect(await sample(om, "neoengine_provider_heartbeat_failures_total", { provider: "farm" })).toBe(1);
    hooks.onRemoved("farm");
    expect(await sample(om, "neoengine_provider_gpus_busy", { provider: "farm" })).toBeUndefined();
  });
});
