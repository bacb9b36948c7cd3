// `npm run bench -- provider`: the provider side against a real control plane (kwok fake GPU
// nodes) and the reference network in this process; the NeoProvider controller runs as a child
// process (compiled JavaScript, as it ships) so that its CPU and RSS are its own. Figures:
//  - registration: 100 fake GPU nodes (NEO_BENCH_NODES) → time until all are Online providers;
//  - steady state over NEO_BENCH_WINDOW_S seconds (default 60) with every node heartbeating and
//    long-polling: operator CPU (% of one core), RSS, NeoEngine requests per minute by route;
//  - assignment → Pod: NEO_BENCH_JOBS jobs (default 30) submitted one at a time; time from
//    submit (the network assigns at once) to the job's Pod appearing in a watch, and the
//    operator's own assignment-seen → Pod-created time.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { startControlPlane } from "../src/devcluster/control-plane.js";
import { fakeGpuNode, KWOK_TOLERATION } from "../src/devcluster/fake-nodes.js";
import { reapOrphans } from "../src/devcluster/processes.js";
import { cacheDir } from "../src/devcluster/versions.js";
import { Informer, installCrds, KubeClient, kubeListerWatcher, Resources, type KubeObject } from "../src/kube/index.js";
import { NeoEngineClient } from "../src/neoengine/index.js";
import { startNetworkServer } from "../src/network/index.js";
import { compileForBench } from "./compile.js";

const NODES = Number(process.env.NEO_BENCH_NODES ?? 100);
const WINDOW_S = Number(process.env.NEO_BENCH_WINDOW_S ?? 60);
const JOBS = Number(process.env.NEO_BENCH_JOBS ?? 30);
const log = (line: string) => process.stderr.write(`[bench:provider] ${line}\n`);


/** utime+stime of a process in seconds, and its RSS in MiB, from /proc. */
function procStats(pid: number): { cpuSeconds: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, rssMiB: Math.round((rssKb / 1024) * 10) / 10 };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function waitUntil(what: string, cond: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const CHILD = (entry: string) => `
import { KubeConfig } from "@kubernetes/client-node";
const { startNeoProviderController } = await import(${JSON.stringify(entry)});
const { KubeClient } = await import(${JSON.stringify(entry.replace(/controllers\/neoprovider\/index\.js$/, "kube/index.js"))});
const kc = new KubeConfig();
kc.loadFromFile(process.env.BENCH_KUBECONFIG);
const controller = await startNeoProviderController({
  kube: new KubeClient(kc),
  neoengineUrl: process.env.BENCH_URL,
  defaultToken: process.env.BENCH_TOKEN,
  options: { extraTolerations: [${JSON.stringify(KWOK_TOLERATION)}] },
  onPodCreated: (ms) => process.stdout.write(JSON.stringify({ podCreatedMs: ms }) + "\\n"),
});
process.stdout.write(JSON.stringify({ started: true }) + "\\n");
process.on("SIGTERM", async () => { await controller.stop(); process.exit(0); });
`;

export async function run(): Promise<Record<string, unknown>> {
  const runs = join(cacheDir(), "runs");
  await reapOrphans(runs);
  const dir = join(runs, `bench-provider-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  log("compiling");
  const entry = compileForBench("neoengine-bench-provider-dist", "controllers/neoprovider/index.js");
  const cp = await startControlPlane({ dir, ownerPid: process.pid, log: (l) => log(l) });
  const cleanups: Array<() => Promise<unknown>> = [async () => cp.stop(), async () => rmSync(dir, { recursive: true, force: true })];
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const kube = new KubeClient(kc);
    await installCrds(kube);
    // The provider tier's real limits would throttle 100 nodes (see the report); measure the demand.
    const unlimited = { perMinute: 10_000_000, perDay: 1_000_000_000 };
    const network = await startNetworkServer({ schedulerIntervalMs: 1000, enterpriseLimits: unlimited, providerLimits: unlimited });
    cleanups.unshift(() => network.close());
    await network.admin.createAccount("farm", "enterprise");
    await network.admin.createAccount("alice", "enterprise", "100000");
    const providerToken = await network.admin.createToken("farm", { provider: true });
    const consumer = new NeoEngineClient({ baseUrl: `${network.url}/v1`, token: await network.admin.createToken("alice"), rateLimiter: false });

    log(`creating ${NODES} fake GPU nodes`);
    const names = Array.from({ length: NODES }, (_, i) => `bench-gpu-${i}`);
    for (let i = 0; i < names.length; i += 10) {
      await Promise.all(names.slice(i, i + 10).map((n) => kube.create(Resources.node, fakeGpuNode(n, { gpus: 8, labels: { "bench.neoengine.dev/pool": "p" } }) as unknown as Record<string, unknown>)));
    }
    const nodeInformer = new Informer<KubeObject>({ listerWatcher: kubeListerWatcher(kube, Resources.node) });
    nodeInformer.start();
    await nodeInformer.waitForSync();
    await waitUntil(
      "nodes Ready",
      () => nodeInformer.store.list().filter((n) => ((n.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")).length >= NODES,
      180_000,
    );
    await nodeInformer.stop();
    await kube.create(Resources.neoProvider, {
      metadata: { name: "bench" },
      spec: { nodeSelector: { "bench.neoengine.dev/pool": "p" }, prices: { cpu: "0.05", memory: "0.01", gpu: { "nvidia-a100": "2.0" } }, jobNamespace: "bench-jobs" },
    });

    log("starting the provider controller");
    const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD(entry)], {
      env: { ...process.env, BENCH_KUBECONFIG: cp.kubeconfigPath, BENCH_URL: network.url, BENCH_TOKEN: providerToken },
      stdio: ["ignore", "pipe", "inherit"],
    });
    cleanups.unshift(async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    });
    const podCreatedMs: number[] = [];
    let started = false;
    child.stdout.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n").filter(Boolean)) {
        const msg = JSON.parse(line) as { started?: boolean; podCreatedMs?: number };
        if (msg.started) started = true;
        if (msg.podCreatedMs !== undefined) podCreatedMs.push(msg.podCreatedMs);
      }
    });
    const t0 = Date.now();
    await waitUntil("controller started", () => started, 120_000);
    const online = async () => (await consumer.getMarketStats()).providersOnline;
    await waitUntil(`${NODES} providers online`, async () => (await online()) >= NODES, 300_000);
    const registrationSeconds = (Date.now() - t0) / 1000;
    log(`${NODES} nodes online after ${registrationSeconds}s; measuring ${WINDOW_S}s of steady state`);

    // Steady state: heartbeats and long polls only.
    const before = { stats: procStats(child.pid!), counts: network.admin.requestCounts(), at: Date.now() };
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const after = { stats: procStats(child.pid!), counts: network.admin.requestCounts(), at: Date.now() };
    const minutes = (after.at - before.at) / 60_000;
    const perMinute: Record<string, number> = {};
    for (const [route, n] of Object.entries(after.counts)) {
      const d = n - (before.counts[route] ?? 0);
      if (d > 0) perMinute[route] = Math.round(d / minutes);
    }
    const totalPerMinute = Object.values(perMinute).reduce((a, b) => a + b, 0);

    // Assignment → Pod.
    log(`assignment → Pod for ${JOBS} jobs`);
    const seen = new Map<string, number>();
    const pods = new Informer<KubeObject>({ listerWatcher: kubeListerWatcher(kube, Resources.pod, { namespace: "bench-jobs" }) });
    pods.addEventHandler({ onAdd: (p) => seen.set(p.metadata.labels?.["neoengine.dev/job-id"] ?? "", Date.now()) });
    pods.start();
    await pods.waitForSync();
    const submitToPod: number[] = [];
    for (let i = 0; i < JOBS; i++) {
      const sent = Date.now();
      const { id } = await consumer.submitJob({ image: "busybox", resources: { cpu: 1, memory: "1Gi", gpu: 1, gpuModel: "nvidia-a100" }, maxPrice: "10", timeout: "1h" });
      await waitUntil(`Pod of ${id}`, () => seen.has(id), 60_000);
      submitToPod.push(seen.get(id)! - sent);
    }
    await pods.stop();
    const peak = procStats(child.pid!);
    submitToPod.sort((a, b) => a - b);
    podCreatedMs.sort((a, b) => a - b);
    await consumer.close();

    return {
      nodes: NODES,
      registration: { secondsUntilAllOnline: registrationSeconds },
      steadyState: {
        windowSeconds: Math.round((after.at - before.at) / 1000),
        operatorCpuPercentOfOneCore: Math.round(((after.stats.cpuSeconds - before.stats.cpuSeconds) / ((after.at - before.at) / 1000)) * 1000) / 10,
        operatorRssMiB: after.stats.rssMiB,
        neoengineRequestsPerMinute: totalPerMinute,
        neoengineRequestsPerMinuteByRoute: perMinute,
        projectedRequestsPerDay: totalPerMinute * 1440,
      },
      assignmentToPod: {
        jobs: JOBS,
        submitToPodWatchedMs: { p50: percentile(submitToPod, 50), p99: percentile(submitToPod, 99), max: submitToPod.at(-1) },
        operatorAssignmentSeenToPodCreatedMs: { p50: percentile(podCreatedMs, 50), p99: percentile(podCreatedMs, 99), max: podCreatedMs.at(-1) },
      },
      operatorRssMiBAfterJobs: peak.rssMiB,
    };
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}
