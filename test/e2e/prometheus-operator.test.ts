// The operator as the Helm chart deploys it, observed like in production:
// - the chart is installed for real; the operator runs with ONLY its ServiceAccount's
//   permissions (a TokenRequest token in a kubeconfig) and takes NeoJobs through their lifecycle
//   against the reference network and a simulated provider; the NeoProvider controller runs
//   with the same permissions and runs one NeoJob as a Pod on a kwok GPU node;
// - every apiserver call the operator makes is recorded and compared with the chart's RBAC;
// - a real Prometheus scrapes the operator: every dashboard query and every alert expression
//   evaluates without error, and the panels that should have data do.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { CHART_DIR, REPO_ROOT } from "../../src/chart/paths.js";
import { KubeClient } from "../../src/kube/index.js";
import { plainRuleGroups } from "../../src/metrics/dashboard/alerts.js";
import { allPanels } from "../../src/metrics/dashboard/panels.js";
import { NeoEngineClient } from "../../src/neoengine/index.js";
import { startNetworkServer, type NetworkServer } from "../../src/network/index.js";
import { startOperator, type RunningOperator } from "../../src/operator/manager.js";
import { startNeoProviderController, type NeoProviderController } from "../../src/controllers/neoprovider/index.js";
import { fakeGpuNode, KWOK_TOLERATION } from "../../src/devcluster/fake-nodes.js";
import { clientRequestHook, controllerMetrics, providerHooks, workqueueMetrics } from "../../src/metrics/index.js";
import { Resources } from "../../src/kube/index.js";
import { startPrometheus, type RunningPrometheus } from "../../scripts/dashboards/prometheus.js";
import { renderDashboardPngs } from "../../scripts/dashboards/render.js";
import { coreApi, helm, kubeConfig, kubectl, waitFor } from "../helpers/cluster.js";

// ------------------------------------------------------------------------------------------
// Recording every apiserver call made with the ServiceAccount's kubeconfig (KubeClient is the
// only door to the apiserver; the test's own admin calls are not recorded).
interface Call {
  method: string;
  path: string;
  watch?: boolean;
}
const calls: Call[] = [];
let recording = false;
const proto = KubeClient.prototype as unknown as {
  request: (this: KubeClient, method: string, path: string, opts?: unknown) => Promise<unknown>;
  watch: (this: KubeClient, type: { apiVersion: string; plural: string; namespaced: boolean }, opts: { namespace?: string }, ...rest: unknown[]) => Promise<unknown>;
};
const originalRequest = proto.request;
const originalWatch = proto.watch;

interface Access {
  group: string;
  resource: string;
  verb: string;
}

/** Maps an apiserver path and method to the RBAC (group, resource[/subresource], verb). */
function accessOf(call: Call): Access {
  const [pathOnly] = call.path.split("?");
  const segs = pathOnly!.split("/").filter(Boolean);
  let group: string;
  let rest: string[];
  if (segs[0] === "api") {
    group = "";
    rest = segs.slice(2);
  } else {
    group = segs[1]!;
    rest = segs.slice(3);
  }
  let resource: string;
  let name: string | undefined;
  let sub: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) [, , resource, name, sub] = rest as [string, string, string, string?, string?];
  else [resource, name, sub] = rest as [string, string?, string?];
  const verbs: Record<string, string> = { POST: "create", PUT: "update", PATCH: "patch", DELETE: name ? "delete" : "deletecollection" };
  const verb = call.watch ? "watch" : call.method === "GET" ? (name ? "get" : "list") : verbs[call.method]!;
  return { group, resource: sub ? `${resource}/${sub}` : resource, verb };
}

// ------------------------------------------------------------------------------------------
// The simulated provider: registers an A100 node, heartbeats, and plays assigned jobs:
// running with progress, then exit code from env EXIT (default 0); env HOLD=1 keeps it running.
function simulatedProvider(network: NetworkServer, token: string) {
  const client = new NeoEngineClient({ baseUrl: `${network.url}/v1`, token, rateLimiter: false });
  const handled = new Map<string, string>();
  let stopped = false;
  let loop: Promise<void> | undefined;
  const start = async () => {
    const provider = await client.registerProvider({
      name: "sim-a100",
      resources: { cpu: 64, memory: "512Gi", gpu: 8, gpuModel: "nvidia-a100" },
      prices: { cpu: "0.01", memory: "0.001", gpu: "1.2" },
    });
    const free = { cpu: 64, memory: "512Gi", gpu: 8 };
    await client.heartbeat(provider.id, { free });
    let version: number | undefined;
    let beat = Date.now();
    loop = (async () => {
      while (!stopped) {
        if (Date.now() - beat > 5000) {
          await client.heartbeat(provider.id, { free });
          beat = Date.now();
        }
        const res = await client.getAssignments(provider.id, { wait: 1, ...(version !== undefined ? { since: version } : {}) });
        version = res.version;
        for (const a of res.assignments) {
          if (handled.get(a.jobId) === "done") continue;
          if (!handled.has(a.jobId)) {
            await client.postJobEvent(a.jobId, { status: "running", progress: 10 });
            handled.set(a.jobId, "running");
            await client.postJobEvent(a.jobId, { progress: 60, message: "halfway" });
          }
          if (a.env.HOLD === "1") continue;
          await client.putJobResults(a.jobId, { exitCode: Number(a.env.EXIT ?? "0"), message: a.env.EXIT ? "exited" : "ok" });
          handled.set(a.jobId, "done");
        }
      }
    })();
  };
  return {
    start,
    stop: async () => {
      stopped = true;
      await loop?.catch(() => undefined);
      await client.close();
    },
  };
}

// ------------------------------------------------------------------------------------------
const suffix = randomBytes(3).toString("hex");
const release = `neo-${suffix}`;
const fullname = `${release}-neoengine-operator`;
const releaseNs = `neo-system-${suffix}`;
const jobsNs = `neo-jobs-${suffix}`;
const providerJobsNs = `neo-run-${suffix}`;
const neoProviderName = `e2e-farm-${suffix}`;
const h100Node = `e2e-h100-${suffix}`;
let providerController: NeoProviderController | undefined;
const workDir = mkdtempSync(join(tmpdir(), "neo-prom-e2e-"));

let network: NetworkServer;
let provider: ReturnType<typeof simulatedProvider>;
let operator: RunningOperator | undefined;
let prom: RunningPrometheus | undefined;
let flowStartSec = 0;
let saKubeConfig: KubeConfig;
const phasesSeen = new Map<string, Set<string>>();

function neoJob(name: string, extra: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  return {
    apiVersion: "neoengine.dev/v1alpha1",
    kind: "NeoJob",
    metadata: { name, namespace: jobsNs },
    spec: {
      image: "python:3.11-slim",
      command: ["python", "-c", "print('hello')"],
      env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })),
      resources: { cpu: 1, memory: "1Gi", gpu: 1, gpuModel: "nvidia-a100" },
      maxPrice: "5.0",
      timeout: "10m",
      ...extra,
    },
  };
}

async function getNeoJob(name: string): Promise<{ status?: { phase?: string; cost?: string; conditions?: { type: string; status: string; reason?: string }[] } } | undefined> {
  const api = kubeConfig().makeApiClient(CustomObjectsApi);
  try {
    return (await api.getNamespacedCustomObject({ group: "neoengine.dev", version: "v1alpha1", namespace: jobsNs, plural: "neojobs", name })) as never;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

async function waitPhase(name: string, phase: string, timeoutMs = 90_000) {
  return waitFor(
    async () => {
      const job = await getNeoJob(name);
      const p = job?.status?.phase;
      if (p) (phasesSeen.get(name) ?? phasesSeen.set(name, new Set()).get(name)!).add(p);
      return p === phase ? job : undefined;
    },
    { timeoutMs, intervalMs: 250, description: `NeoJob ${name} phase ${phase}` },
  );
}

/** Creates `count` NeoJobs (every fifth fails) and waits until all have finished. */
async function runWave(prefix: string, count: number) {
  const custom = kubeConfig().makeApiClient(CustomObjectsApi);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${i}`;
    names.push(name);
    const body = neoJob(name, {}, i % 5 === 4 ? { EXIT: "1" } : {});
    await custom.createNamespacedCustomObject({ group: "neoengine.dev", version: "v1alpha1", namespace: jobsNs, plural: "neojobs", body });
  }
  await waitFor(
    async () => {
      for (const n of names) if (!["Succeeded", "Failed"].includes((await getNeoJob(n))?.status?.phase ?? "")) return false;
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 500, description: `NeoJobs ${prefix}-* finished` },
  );
}

/** Waits until Prometheus holds `n` more scrapes of the operator than now. */
async function waitScrapes(p: RunningPrometheus, n: number) {
  const count = async () => Number((await p.query(`count_over_time(up{job="neoengine-operator"}[10m])`)).data?.result[0]?.value?.[1] ?? 0);
  const target = (await count()) + n;
  await waitFor(async () => (await count()) >= target, { description: `${n} more scrapes`, intervalMs: 250 });
}

beforeAll(async () => {
  const core = coreApi();
  for (const name of [releaseNs, jobsNs]) await core.createNamespace({ body: { metadata: { name } } });

  network = await startNetworkServer({ schedulerIntervalMs: 500 });
  await network.admin.createAccount("consumer", "pro", 1000);
  await network.admin.createAccount("seller", "pro");
  const consumerToken = await network.admin.createToken("consumer");
  const providerToken = await network.admin.createToken("seller", { provider: true });
  provider = simulatedProvider(network, providerToken);
  await provider.start();

  // The chart, installed for real (CRDs included); its Deployment's image need not exist here.
  const install = await helm([
    "install", release, CHART_DIR, "--namespace", releaseNs,
    "--set", `neoengine.token=${consumerToken}`,
    "--set", `neoengine.url=${network.url}/v1`,
    "--set", "dashboard.enabled=true",
  ]);
  if (install.code !== 0) throw new Error(`helm install failed: ${install.stderr}`);

  // A kubeconfig with only the chart's ServiceAccount token (TokenRequest API).
  const tokenRequest = await core.createNamespacedServiceAccountToken({
    name: fullname,
    namespace: releaseNs,
    body: { spec: { expirationSeconds: 3600, audiences: [] } },
  });
  const admin = kubeConfig();
  const cluster = admin.getCurrentCluster()!;
  saKubeConfig = new KubeConfig();
  saKubeConfig.loadFromOptions({
    clusters: [{ name: "test", server: cluster.server, caData: cluster.caData, caFile: cluster.caFile, skipTLSVerify: false }],
    users: [{ name: "operator-sa", token: tokenRequest.status!.token }],
    contexts: [{ name: "operator-sa", cluster: "test", user: "operator-sa" }],
    currentContext: "operator-sa",
  });

  prom = undefined;
  proto.request = function (method, path, opts) {
    if (recording && this.kubeConfig === saKubeConfig) calls.push({ method, path });
    return originalRequest.call(this, method, path, opts);
  };
  proto.watch = function (type, opts, ...rest) {
    if (recording && this.kubeConfig === saKubeConfig) {
      const base = type.apiVersion.includes("/") ? `/apis/${type.apiVersion}` : `/api/${type.apiVersion}`;
      calls.push({ method: "GET", watch: true, path: type.namespaced && opts.namespace ? `${base}/namespaces/${opts.namespace}/${type.plural}` : `${base}/${type.plural}` });
    }
    return originalWatch.call(this, type, opts, ...rest);
  };
  recording = true;

  operator = await startOperator({
    kubeconfig: saKubeConfig,
    neoengineUrl: `${network.url}/v1`,
    tokenSecret: `${releaseNs}/${fullname}-token`,
    leaderElect: true,
    leaseNamespace: releaseNs,
    identity: `e2e-${suffix}`,
    metricsAddr: "127.0.0.1:0",
    healthAddr: "127.0.0.1:0",
    pollMinIntervalMs: 500,
  });
  await operator.synced;

  // The provider side, as the same ServiceAccount: one kwok H100 node sold through a NeoProvider
  // (the simulated provider only has A100s, so H100 NeoJobs can only run here).
  await core.createNode({ body: fakeGpuNode(h100Node, { gpus: 4, product: "NVIDIA-H100-80GB-HBM3", labels: { "neoengine.dev/test-pool": suffix } }) });
  await core.createNamespacedSecret({ namespace: releaseNs, body: { metadata: { name: "provider-token" }, stringData: { token: providerToken } } });
  const admin2 = new KubeClient(kubeConfig());
  await admin2.create(Resources.neoProvider, {
    metadata: { name: neoProviderName },
    spec: {
      nodeSelector: { "neoengine.dev/test-pool": suffix },
      prices: { cpu: "0.01", memory: "0.001", gpu: { "nvidia-h100": "2.5" } },
      jobNamespace: providerJobsNs,
      credentialsSecretRef: { namespace: releaseNs, name: "provider-token", key: "token" },
    },
  });
  providerController = await startNeoProviderController({
    kube: new KubeClient(saKubeConfig),
    neoengineUrl: `${network.url}/v1`,
    identity: `e2e-${suffix}`,
    onRequest: clientRequestHook(),
    metrics: { ...controllerMetrics(), ...workqueueMetrics() },
    hooks: providerHooks(),
    options: { extraTolerations: [{ ...KWOK_TOLERATION }], resyncIntervalMs: 2_000, earningsIntervalMs: 1_000, assignmentWaitSeconds: 5, logPollIntervalMs: 500 },
  });

  prom = await startPrometheus({
    targets: [`127.0.0.1:${operator.metricsPort}`],
    ruleFiles: [join(REPO_ROOT, "deploy/prometheus/neoengine-operator.rules.yaml")],
  });
  // Counters only show increases Prometheus saw happen: let it scrape the idle operator first.
  await waitFor(async () => Number((await prom!.query(`count_over_time(up{job="neoengine-operator"}[1m])`)).data?.result[0]?.value?.[1] ?? 0) >= 3, {
    description: "three scrapes of the idle operator",
  });
  flowStartSec = Math.floor(Date.now() / 1000);
}, 240_000);

afterAll(async () => {
  recording = false;
  await providerController?.stop();
  const admin = new KubeClient(kubeConfig());
  await admin.mergePatch(Resources.neoProvider, { name: neoProviderName }, { metadata: { finalizers: null } }).catch(() => undefined);
  await admin.delete(Resources.neoProvider, { name: neoProviderName }).catch(() => undefined);
  await coreApi().deleteNode({ name: h100Node }).catch(() => undefined);
  await coreApi().deleteNamespace({ name: providerJobsNs }).catch(() => undefined);
  await operator?.stop();
  proto.request = originalRequest;
  proto.watch = originalWatch;
  await prom?.close();
  await provider?.stop();
  await network?.close();
  await helm(["uninstall", release, "--namespace", releaseNs, "--wait=false"]);
  const core = coreApi();
  for (const name of [jobsNs, releaseNs]) await core.deleteNamespace({ name }).catch(() => undefined);
  rmSync(workDir, { recursive: true, force: true });
});

describe("operator installed by the chart, scraped by Prometheus", () => {
  it("runs NeoJobs end to end with only the chart's ServiceAccount permissions", async () => {
    const custom = kubeConfig().makeApiClient(CustomObjectsApi);
    const create = (body: object) => custom.createNamespacedCustomObject({ group: "neoengine.dev", version: "v1alpha1", namespace: jobsNs, plural: "neojobs", body });

    // The results ConfigMap exists already: the operator's create conflicts and it patches instead.
    await coreApi().createNamespacedConfigMap({ namespace: jobsNs, body: { metadata: { name: "ok-results" }, data: { stale: "1" } } });
    await create(neoJob("ok", { output: { configMapName: "ok-results" } }));
    await create(neoJob("fails", {}, { EXIT: "3" }));
    await create(neoJob("held", {}, { HOLD: "1" }));
    await create(neoJob("short-lived", { ttlSecondsAfterFinished: 1 }));
    await create(neoJob("too-expensive", { maxPrice: "100000" }));

    const ok = await waitPhase("ok", "Succeeded");
    expect(Number(ok?.status?.cost)).toBeGreaterThan(0);
    expect(phasesSeen.get("ok")?.has("Running") || phasesSeen.get("ok")?.has("Submitted")).toBe(true);
    const results = await coreApi().readNamespacedConfigMap({ name: "ok-results", namespace: jobsNs });
    expect(Object.keys(results.data ?? {})).not.toHaveLength(0);

    const failed = await waitPhase("fails", "Failed");
    expect(failed?.status?.conditions?.some((c) => c.type === "Failed" && c.status === "True")).toBe(true);

    const tooExpensive = await waitPhase("too-expensive", "Failed");
    // The refusal's NeoEngine error code is kept on the object (design.md: Synced=False, reason = code).
    expect(tooExpensive?.status?.conditions?.find((c) => c.type === "Synced")).toMatchObject({ status: "False", reason: "INSUFFICIENT_FUNDS" });

    // TTL: the operator deletes the finished NeoJob.
    await waitFor(async () => (await getNeoJob("short-lived")) === undefined, { timeoutMs: 90_000, description: "short-lived NeoJob deleted by TTL" });

    // On this cluster's own GPU node: the NeoProvider controller runs the job as a Pod; kwok
    // drives the Pod to Succeeded when annotated so.
    await create(neoJob("on-cluster", { resources: { cpu: 1, memory: "1Gi", gpu: 1, gpuModel: "nvidia-h100" } }));
    const pod = await waitFor(
      async () => {
        const jobId = ((await getNeoJob("on-cluster"))?.status as { jobId?: string } | undefined)?.jobId;
        if (!jobId) return undefined;
        const pods = await coreApi().listNamespacedPod({ namespace: providerJobsNs, labelSelector: `neoengine.dev/job-id=${jobId}` });
        return pods.items.find((p) => p.status?.phase === "Running");
      },
      { timeoutMs: 90_000, intervalMs: 500, description: "job Pod of on-cluster Running on the H100 node" },
    );
    expect(pod.spec?.nodeName).toBe(h100Node);
    const annotated = await kubectl(["annotate", "pod", "-n", providerJobsNs, pod.metadata!.name!, "--overwrite", "kwok.neoengine.dev/outcome=succeeded", "kwok.neoengine.dev/message=done"]);
    expect(annotated.stderr).toBe("");
    const onCluster = await waitPhase("on-cluster", "Succeeded");
    expect(Number(onCluster?.status?.cost)).toBeGreaterThan(0);

    // Deleting a running NeoJob cancels the remote job, then the finalizer goes.
    await waitPhase("held", "Running");
    await custom.deleteNamespacedCustomObject({ group: "neoengine.dev", version: "v1alpha1", namespace: jobsNs, plural: "neojobs", name: "held" });
    await waitFor(async () => (await getNeoJob("held")) === undefined, { timeoutMs: 60_000, description: "held NeoJob deleted after cancel" });
    expect(await network.admin.countJobs({ status: "cancelled" })).toBe(1);

  });

  it("the chart's RBAC grants exactly the verbs the operator used", async () => {
    const rendered = await helm(["get", "manifest", release, "--namespace", releaseNs]);
    const rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] = [];
    for (const doc of parseAllDocuments(rendered.stdout)) {
      const o = doc.toJS() as { kind?: string; rules?: typeof rules } | null;
      if (o && (o.kind === "ClusterRole" || o.kind === "Role")) rules.push(...(o.rules ?? []));
    }
    const granted = new Set(rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}|${res}|${v}`)))));
    const used = new Set(calls.map(accessOf).map((a) => `${a.group}|${a.resource}|${a.verb}`));

    // Every call was allowed (it also succeeded, since the operator ran as the ServiceAccount).
    expect([...used].filter((u) => !granted.has(u))).toEqual([]);

    // Granted but not used by this NeoJob flow — each must be justified by code not exercised here.
    const NOT_EXERCISED_HERE: Record<string, string> = {
      // src/kube/helpers/status.ts re-reads the object after a 409 on a status patch.
      "neoengine.dev|neojobs|get": "status patch conflict retry",
      // src/kube/helpers/events.ts patches an Event repeated within its series window.
      "events.k8s.io|events|patch": "repeated Event",
      // Server-side apply is a PATCH; when it creates the object the apiserver also checks create.
      ...Object.fromEntries(
        ["|namespaces|create", "|serviceaccounts|create", "|resourcequotas|create", "|limitranges|create", "networking.k8s.io|networkpolicies|create"].map((k) => [
          k,
          "server-side apply creating the object",
        ]),
      ),
      "neoengine.dev|neoproviders|get": "status patch conflict retry",
    };
    const unused = [...granted].filter((g) => !used.has(g) && !(g in NOT_EXERCISED_HERE));
    expect(unused, `granted by the chart but never used: ${unused.join(", ")}`).toEqual([]);
    // The allowance list names only granted verbs, and hides none the NeoJob flow does use.
    expect(Object.keys(NOT_EXERCISED_HERE).filter((k) => !granted.has(k))).toEqual([]);
    expect(Object.keys(NOT_EXERCISED_HERE).filter((k) => used.has(k))).toEqual([]);
  });

  it("Prometheus scrapes the operator; every dashboard query evaluates, and the panels that should have data do", async () => {
    const p = prom!;
    await waitFor(async () => (await p.query(`neoengine_provider_nodes{state="Online",provider="${neoProviderName}"} == 1`)).data?.result.length === 1, {
      description: "the NeoProvider's node Online in Prometheus",
    });
    // Prometheus only sees a counter increase between two scrapes of an existing series: the
    // flow above created the series; a second wave, spread over scrapes, makes rates and
    // histogram quantiles real numbers.
    await waitScrapes(p, 2);
    await runWave("wave", 5);
    await waitScrapes(p, 2);

    // Panels whose metric no code feeds yet (named in the report); they must still evaluate.
    // Series that exist only after the first error/retry, or that the operator does not feed yet:
    // queries on them must evaluate, but may be empty.
    const NOT_FED_YET = [
      "controller_runtime_reconcile_errors_total", // created on the first error (manager does not call initControllerSeries)
      "workqueue_retries_total", // created on the first retry (same)
      "neoengine_wallet_earnings_credits", // no wallet poller is started by the operator yet (startWalletMarketPoller)
    ];
    const empty: string[] = [];
    for (const panel of allPanels()) {
      for (const q of panel.queries) {
        const expr = q.expr.replaceAll("$__rate_interval", "1m");
        const res = await p.query(expr);
        expect(res.status, `${panel.title}: ${expr}: ${res.error}`).toBe("success");
        // "provider" panels too: the NeoProvider controller runs here with providerHooks().
        const shouldHaveData = ["always", "neojob-flow", "provider"].includes(panel.dataWhen) && !NOT_FED_YET.some((m) => expr.includes(m));
        // Data = at least one series with a real number (a quantile of no traffic is NaN).
        const finite = (res.data?.result ?? []).some((series) => Number.isFinite(Number(series.value?.[1])));
        if (shouldHaveData && !finite) empty.push(`${panel.title}: ${expr}`);
      }
    }
    expect(empty, "panels without data").toEqual([]);

    // Values that the flow determines.
    const phases = await p.query(`sum by (phase) (neoengine_neojobs{job="neoengine-operator",namespace="${jobsNs}"})`);
    const byPhase = Object.fromEntries((phases.data?.result ?? []).map((s) => [s.metric.phase, Number(s.value![1])]));
    expect(byPhase.Succeeded).toBeGreaterThanOrEqual(1);
    expect(byPhase.Failed).toBeGreaterThanOrEqual(2);
    const cost = await p.query(`sum(neoengine_neojob_cost_credits_total{job="neoengine-operator",namespace="${jobsNs}"})`);
    expect(Number(cost.data?.result[0]?.value?.[1])).toBeGreaterThan(0);
    const started = await p.query(`sum(neoengine_neojob_submit_to_running_seconds_count{job="neoengine-operator"})`);
    expect(Number(started.data?.result[0]?.value?.[1])).toBeGreaterThanOrEqual(5);
    const leaders = await p.query(`sum(leader_election_master_status{job="neoengine-operator"})`);
    expect(Number(leaders.data?.result[0]?.value?.[1])).toBe(1);
    const submits = await p.query(`sum(neoengine_api_requests_total{job="neoengine-operator",endpoint="/jobs",method="POST"})`);
    expect(Number(submits.data?.result[0]?.value?.[1])).toBeGreaterThanOrEqual(5);
    // The token never appears in the exposition.
    const exposition = await (await fetch(`http://127.0.0.1:${operator!.metricsPort}/metrics`)).text();
    const secret = await coreApi().readNamespacedSecret({ name: `${fullname}-token`, namespace: releaseNs });
    const token = Buffer.from(secret.data!.token!, "base64").toString();
    expect(exposition).not.toContain(token);
  });

  it("every alert expression evaluates without error in Prometheus, and none fires for a healthy operator", async () => {
    const p = prom!;
    for (const rule of plainRuleGroups().groups[0]!.rules) {
      const res = await p.query(rule.expr);
      expect(res.status, `${rule.alert}: ${res.error}`).toBe("success");
    }
    type RulesApi = { data: { groups: { rules: { name: string; health: string; lastError?: string; state: string; lastEvaluation: string }[] }[] } };
    const rules = await waitFor(
      async () => {
        const r = await p.api<RulesApi>("/api/v1/rules");
        const all = r.data.groups.flatMap((g) => g.rules);
        return all.length > 0 && all.every((x) => !x.lastEvaluation.startsWith("0001")) ? all : undefined;
      },
      { timeoutMs: 30_000, description: "alert rules evaluated" },
    );
    expect(rules.map((r) => r.name).sort()).toEqual(plainRuleGroups().groups[0]!.rules.map((r) => r.alert).sort());
    for (const r of rules) {
      expect(r.health, `${r.name}: ${r.lastError}`).toBe("ok");
      // `for:` durations are minutes; nothing can be firing, and nothing should be pending in a healthy run
      // except the 429/5xx/error ratios, which this flow does not trigger either.
      expect(r.state, r.name).toBe("inactive");
    }
  });

  it("renders the main dashboard panels from this run's data to PNG", async () => {
    const forDocs = process.env.NEO_RENDER_DASHBOARDS === "1";
    if (forDocs) {
      // For docs/img: a few more minutes of traffic (waves of NeoJobs, some failing) so the
      // pictures show more than the short flow above.
      for (let wave = 0; wave < 6; wave++) {
        await runWave(`docs${wave}`, 5);
        await waitScrapes(prom!, 5);
      }
      await waitFor(async () => Number((await prom!.query(`timestamp(up{job="neoengine-operator"})`)).data?.result[0]?.value?.[1] ?? 0) > Date.now() / 1000 - 1, {
        description: "a scrape after the waves",
      });
    }
    const outDir = forDocs ? join(REPO_ROOT, "docs/img") : join(workDir, "img");
    const rendered = await renderDashboardPngs(prom!, {
      startSec: flowStartSec - 5,
      endSec: Math.floor(Date.now() / 1000),
      stepSec: 1,
      rateInterval: forDocs ? "30s" : "1m",
      outDir,
    });
    expect(rendered.length).toBeGreaterThanOrEqual(5);
    for (const r of rendered) {
      expect(readFileSync(r.file).subarray(0, 8).toString("hex"), r.file).toBe("89504e470d0a1a0a");
      expect(r.series, `${r.panel} has plotted series`).toBeGreaterThan(0);
    }
  });
});
