// `npm run bench -- operator`: the NeoJob operator against a real control plane and the
// reference network (in this process), the operator itself as a child process (so its RSS is
// its own). Figures:
//  - 1,000 NeoJobs created at once: time until all are Submitted, against the raw bound measured
//    in the same run (per job: 2 raw apiserver writes + 1 raw POST /jobs, same concurrency), as a ratio;
//  - p50/p99 of apply → Submitted (watch-observed);
//  - NeoEngine requests per job lifecycle (consumer routes counted on the server, submit → Succeeded);
//  - operator RSS with 10,000 NeoJobs (all Submitted).
// Goals: ratio ≤ 2, ≤ 3 requests per job, ≤ 150 MiB. Sizes: NEO_BENCH_JOBS, NEO_BENCH_RSS_JOBS;
// The operator runs with the container image's node flags and environment (src/operator/runtime.ts);
// NEO_BENCH_OPERATOR_NODE_FLAGS replaces the flags;
// NEO_BENCH_HEAPSNAPSHOT=<dir> writes a heap snapshot of the operator there at the RSS figure.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeConfig } from "@kubernetes/client-node";
import { startControlPlane } from "../src/devcluster/control-plane.js";
import { reapOrphans } from "../src/devcluster/processes.js";
import { cacheDir } from "../src/devcluster/versions.js";
import { Informer, installCrds, KubeClient, kubeListerWatcher, Resources, type KubeObject } from "../src/kube/index.js";
import { FINALIZER_POLICY_NAME } from "../src/api/index.js";
import { compileForBench } from "./compile.js";
import { OPERATOR_ENV, OPERATOR_NODE_FLAGS } from "../src/operator/runtime.js";
import { NeoEngineClient } from "../src/neoengine/index.js";
import { startNetworkServer } from "../src/network/index.js";
import { startSimProvider } from "../src/simprovider/index.js";

const JOBS = Number(process.env.NEO_BENCH_JOBS ?? 1000);
const RSS_JOBS = Number(process.env.NEO_BENCH_RSS_JOBS ?? 10_000);
const CONCURRENCY = 16;
/**
 * Node flags of the operator process: by default the container image's (src/operator/runtime.ts);
 * NEO_BENCH_OPERATOR_NODE_FLAGS replaces them (e.g. "" for Node's defaults).
 */
const nodeFlags =
  process.env.NEO_BENCH_OPERATOR_NODE_FLAGS === undefined ? [...OPERATOR_NODE_FLAGS] : process.env.NEO_BENCH_OPERATOR_NODE_FLAGS.split(" ").filter(Boolean);
const heapSnapshotDir = process.env.NEO_BENCH_HEAPSNAPSHOT;
/** NEO_BENCH_APISERVER_PROFILE=<file>: a 10 s CPU profile of kube-apiserver from the start of the burst (go tool pprof). */
if (process.env.NEO_BENCH_APISERVER_PROFILE) process.env.NEO_APISERVER_PROFILING = "1";
const apiserverProfile = process.env.NEO_BENCH_APISERVER_PROFILE;
/** NEO_BENCH_ADMISSION_POLICY=0 runs without the finalizer admission policy (the operator adds it). */
const withAdmissionPolicy = process.env.NEO_BENCH_ADMISSION_POLICY !== "0";
const CONSUMER_ROUTES = ["POST /v1/jobs", "GET /v1/jobs", "GET /v1/jobs/:jobId", "GET /v1/jobs/:jobId/results", "POST /v1/jobs/:jobId/cancel"];

const log = (line: string) => process.stderr.write(`[bench:operator] ${line}\n`);

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function manifest(name: string) {
  return {
    metadata: { name },
    spec: { image: "python:3.11-slim", command: ["python", "-c", "print('Hello')"], resources: { cpu: 1, memory: "1Gi" }, maxPrice: "1.0", timeout: "1h" },
  };
}

function rssOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssMiB: +(kb("VmRSS") / 1024).toFixed(1), peakMiB: +(kb("VmHWM") / 1024).toFixed(1) };
}

/** CPU seconds (user + system) of a process, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds per process of interest: the control plane's components, this process, the operator. */
function cpuSnapshot(stateDir: string, operatorPid?: number): Record<string, number> {
  const out: Record<string, number> = {};
  const pids = join(stateDir, "pids");
  for (const f of readdirSync(pids)) {
    const { pid } = JSON.parse(readFileSync(join(pids, f), "utf8")) as { pid: number };
    out[f.replace(/\.pid$/, "")] = cpuSecondsOf(pid);
  }
  out["bench (client, network server)"] = cpuSecondsOf(process.pid);
  if (operatorPid) out.operator = cpuSecondsOf(operatorPid);
  return out;
}

/** apiserver_request_total for NeoJobs and Events, keyed "VERB resource[/subresource] code". */
function apiserverRequests(stateDir: string, server: string): Record<string, number> {
  const text = execFileSync("curl", ["-sk", "--cert", join(stateDir, "admin.crt"), "--key", join(stateDir, "admin.key"), `${server}/metrics`], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (labels.resource !== "neojobs" && labels.resource !== "events") continue;
    if (labels.verb === "WATCH" || labels.verb === "LIST" || labels.verb === "GET") continue;
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ""} ${labels.code}`;
    out[key] = (out[key] ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return out;
}

function countDelta(from: Record<string, number>, to: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(to).map(([k, v]) => [k, v - (from[k] ?? 0)]).filter(([, v]) => (v as number) > 0));
}

function cpuDelta(from: Record<string, number>, to: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(to).map((k) => [k, +((to[k]! - (from[k] ?? 0)) || 0).toFixed(2)]));
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => env[k] !== undefined).map((k) => [k, env[k]!]));
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** nodejs_heap_size_used_bytes and process_resident_memory_bytes from the operator's /metrics. */
async function scrapeMemory(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, "m").exec(text)?.[1] ?? NaN) / 1048576;
  const spaces = Object.fromEntries(
    [...text.matchAll(/^nodejs_heap_space_size_total_bytes\{space="(\w+)"\} (\S+)/gm)].map((m) => [m[1], +(Number(m[2]) / 1048576).toFixed(1)]),
  );
  return {
    heapUsedMiB: +value("nodejs_heap_size_used_bytes").toFixed(1),
    heapTotalMiB: +value("nodejs_heap_size_total_bytes").toFixed(1),
    externalMiB: +value("nodejs_external_memory_bytes").toFixed(1),
    heapSpacesMiB: spaces,
  };
}

/** Signals the operator (started with --heapsnapshot-signal) and waits until the snapshot is written. */
async function heapSnapshot(pid: number, dir: string): Promise<void> {
  const { readdirSync, statSync } = await import("node:fs");
  const snapshots = () => readdirSync(dir).filter((f) => f.endsWith(".heapsnapshot"));
  const before = new Set(snapshots());
  process.kill(pid, "SIGUSR2");
  const deadline = Date.now() + 120_000;
  for (;;) {
    const fresh = snapshots().filter((f) => !before.has(f));
    if (fresh.length > 0) {
      const file = join(dir, fresh[0]!);
      const size = statSync(file).size;
      await sleep(2000);
      if (statSync(file).size === size) {
        log(`heap snapshot: ${file}`);
        return;
      }
    }
    if (Date.now() > deadline) throw new Error("no heap snapshot within 120 s");
    await sleep(500);
  }
}

async function routeCounts(get: () => Record<string, number>): Promise<number> {
  const counts = get();
  return CONSUMER_ROUTES.reduce((sum, r) => sum + (counts[r] ?? 0), 0);
}

export async function run(): Promise<Record<string, unknown>> {
  const runs = join(cacheDir(), "runs");
  await reapOrphans(runs);
  const dir = join(runs, `bench-operator-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const cp = await startControlPlane({ dir, ownerPid: process.pid, log: (l) => log(l) });
  const cleanups: Array<() => Promise<unknown>> = [async () => cp.stop(), async () => rmSync(dir, { recursive: true, force: true })];
  let operator: ChildProcess | undefined;
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    // The raw bound is the best a client can do: KubeClient keeps connections alive, like the operator's.
    const kube = new KubeClient(kc);
    await installCrds(kube);
    if (!withAdmissionPolicy) await kube.delete(Resources.mutatingAdmissionPolicyBinding, { name: FINALIZER_POLICY_NAME });
    for (const ns of ["bench-raw", "bench-op"]) await kube.create(Resources.namespace, { metadata: { name: ns } });

    const unlimited = { perMinute: 10_000_000, perDay: 1_000_000_000 };
    const network = await startNetworkServer({ schedulerIntervalMs: 500, enterpriseLimits: unlimited, providerLimits: unlimited });
    cleanups.unshift(() => network.close());
    await network.admin.createAccount("bench", "enterprise", "100000000");
    await network.admin.createAccount("farm", "enterprise");
    const token = await network.admin.createToken("bench");
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, token, { mode: 0o600 });

    // ---- raw bound: per job 2 apiserver writes + 1 POST, same concurrency -----------------
    log(`raw bound: ${JOBS} × (create + POST /jobs + status patch), concurrency ${CONCURRENCY}`);
    const client = new NeoEngineClient({ baseUrl: `${network.url}/v1`, token, rateLimiter: false });
    const rawIds: string[] = [];
    const rawCpu = cpuSnapshot(dir);
    const rawRequests = apiserverRequests(dir, cp.server);
    const rawStart = performance.now();
    await pool(
      Array.from({ length: JOBS }, (_, i) => `raw-${i}`),
      CONCURRENCY,
      async (name) => {
        const created = await kube.create<{ metadata: { uid: string; resourceVersion: string } }>(Resources.neoJob, manifest(name), "bench-raw");
        const { id } = await client.submitJob(
          { image: "python:3.11-slim", command: ["python", "-c", "print('Hello')"], resources: { cpu: 1, memory: "1Gi", gpu: 0 }, maxPrice: "1.0", timeout: "1h" },
          { idempotencyKey: `neojob-${created.metadata.uid}-1` },
        );
        rawIds.push(id);
        await kube.mergePatch(Resources.neoJob, { namespace: "bench-raw", name }, { status: { jobId: id, phase: "Submitted" } }, "status");
      },
    );
    const rawMs = performance.now() - rawStart;
    const rawCpuSeconds = cpuDelta(rawCpu, cpuSnapshot(dir));
    const rawWrites = countDelta(rawRequests, apiserverRequests(dir, cp.server));
    log(`raw bound ${rawMs.toFixed(0)} ms; cancelling the raw jobs`);
    await pool(rawIds, CONCURRENCY, async (id) => void (await client.cancelJob(id)));
    await client.close();

    // ---- the operator (child process) ------------------------------------------------------
    log("compiling the operator");
    const entry = compileForBench("neoengine-bench-dist", "cli/operator.js");
    const metricsPort = await freePort();
    operator = spawn(
      process.execPath,
      [
        ...nodeFlags,
        ...(heapSnapshotDir ? ["--heapsnapshot-signal=SIGUSR2"] : []),
        entry,
        "--kubeconfig", cp.kubeconfigPath, "--neoengine-url", network.url, "--token-file", tokenFile,
        "--namespace", "bench-op", "--concurrency", String(CONCURRENCY), "--tier", "enterprise",
        "--poll-min-interval", "1000", "--metrics-addr", `127.0.0.1:${metricsPort}`, "--health-addr", "127.0.0.1:0",
      ],
      { env: { ...OPERATOR_ENV, ...process.env, NEO_LOG_LEVEL: "warn" }, stdio: ["ignore", "ignore", "inherit"], ...(heapSnapshotDir ? { cwd: heapSnapshotDir } : {}) },
    );
    const child = operator;
    cleanups.unshift(async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    });

    const appliedAt = new Map<string, number>();
    const submittedAt = new Map<string, number>();
    const succeeded = new Set<string>();
    const informer = new Informer<KubeObject>({ listerWatcher: kubeListerWatcher(kube, Resources.neoJob, { namespace: "bench-op" }) });
    const see = (o: KubeObject) => {
      const status = o.status as { phase?: string; jobId?: string } | undefined;
      const name = o.metadata.name;
      if (status?.jobId && !submittedAt.has(name)) submittedAt.set(name, performance.now());
      if (status?.phase === "Succeeded") succeeded.add(name);
    };
    informer.addEventHandler({ onAdd: see, onUpdate: (_o, n) => see(n) });
    informer.start();
    cleanups.unshift(() => informer.stop());
    await informer.waitForSync();
    // The operator is ready when its informer has synced; give it its readiness signal first.
    await sleep(3000);

    const before = await routeCounts(network.admin.requestCounts);
    log(`operator: creating ${JOBS} NeoJobs at once`);
    const names = Array.from({ length: JOBS }, (_, i) => `job-${i}`);
    const opCpu = cpuSnapshot(dir, child.pid);
    const opRequests = apiserverRequests(dir, cp.server);
    const profiling = apiserverProfile
      ? new Promise((resolve) =>
          execFile(
            "curl",
            ["-sk", "--cert", join(dir, "admin.crt"), "--key", join(dir, "admin.key"), "-o", apiserverProfile, `${cp.server}/debug/pprof/profile?seconds=10`],
            resolve,
          ),
        )
      : undefined;
    const opStart = performance.now();
    await pool(names, CONCURRENCY, async (name) => {
      appliedAt.set(name, performance.now());
      await kube.create(Resources.neoJob, manifest(name), "bench-op");
    });
    while (names.some((n) => !submittedAt.has(n))) await sleep(50);
    const opCpuSeconds = cpuDelta(opCpu, cpuSnapshot(dir, child.pid));
    const opWrites = countDelta(opRequests, apiserverRequests(dir, cp.server));
    await profiling;
    const opMs = Math.max(...names.map((n) => submittedAt.get(n)!)) - opStart;
    const latencies = names.map((n) => submittedAt.get(n)! - appliedAt.get(n)!).sort((a, b) => a - b);
    log(`all Submitted after ${opMs.toFixed(0)} ms; waiting for Succeeded`);
    // The provider starts once every job is Submitted: the submission figure then compares the
    // same work as the raw bound (no Running/Succeeded writes of early jobs competing with it).
    const provider = await startSimProvider({
      neoengineUrl: network.url,
      token: await network.admin.createToken("farm", { provider: true }),
      resources: { cpu: 100000, memory: "100000Gi", gpu: 0 },
      prices: { cpu: "0.01", memory: "0.001", gpu: "0" },
      jobDurationMs: 2000,
      progressSteps: 1,
      assignmentWaitSeconds: 5,
    });
    cleanups.unshift(() => provider.stop());
    const lifecycleDeadline = Date.now() + 10 * 60_000;
    while (names.some((n) => !succeeded.has(n)) && Date.now() < lifecycleDeadline) await sleep(200);
    const finished = names.filter((n) => succeeded.has(n)).length;
    const lifecycleRequests = (await routeCounts(network.admin.requestCounts)) - before;
    const byRoute = Object.fromEntries(CONSUMER_ROUTES.map((r) => [r, network.admin.requestCounts()[r] ?? 0]));

    // ---- RSS with RSS_JOBS NeoJobs -------------------------------------------------------------
    const more = Array.from({ length: Math.max(0, RSS_JOBS - JOBS) }, (_, i) => `rss-${i}`);
    log(`creating ${more.length} more NeoJobs (${RSS_JOBS} in total) for the RSS figure`);
    await pool(more, 32, async (name) => void (await kube.create(Resources.neoJob, manifest(name), "bench-op")));
    const rssDeadline = Date.now() + 15 * 60_000;
    while (more.some((n) => !submittedAt.has(n)) && Date.now() < rssDeadline) await sleep(500);
    const allSubmitted = more.every((n) => submittedAt.has(n));
    await sleep(5000);
    const rss = { ...rssOf(child.pid!), ...(await scrapeMemory(metricsPort).catch(() => ({}))) };
    // And once every job has finished and the operator has been idle for a while (steady state).
    const all = [...names, ...more];
    const settleDeadline = Date.now() + 10 * 60_000;
    while (all.some((n) => !succeeded.has(n)) && Date.now() < settleDeadline) await sleep(500);
    await sleep(30_000);
    const steady = { succeeded: all.filter((n) => succeeded.has(n)).length, ...rssOf(child.pid!), ...(await scrapeMemory(metricsPort).catch(() => ({}))) };
    if (heapSnapshotDir) await heapSnapshot(child.pid!, heapSnapshotDir);

    return {
      jobs: JOBS,
      concurrency: CONCURRENCY,
      rawBoundMs: Math.round(rawMs),
      allSubmittedMs: Math.round(opMs),
      ratio: +(opMs / rawMs).toFixed(2),
      ratioGoal: 2,
      admissionPolicy: withAdmissionPolicy,
      cpuSeconds: { raw: rawCpuSeconds, operator: opCpuSeconds },
      apiserverWrites: { raw: rawWrites, operator: opWrites },
      applyToSubmittedMs: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), max: Math.round(latencies.at(-1)!) },
      lifecycle: {
        succeeded: finished,
        neoengineRequests: lifecycleRequests,
        requestsPerJob: +(lifecycleRequests / JOBS).toFixed(2),
        goal: 3,
        consumerRoutesSinceStart: byRoute,
      },
      rss: { neoJobs: RSS_JOBS, allSubmitted: allSubmitted, nodeFlags: nodeFlags.join(" "), env: { ...OPERATOR_ENV, ...pick(process.env, Object.keys(OPERATOR_ENV)) }, ...rss, steady, goalMiB: 150, note: "compiled operator as a child process; VmRSS/VmHWM from /proc/<pid>/status: first 5 s after all are Submitted (jobs still running), then `steady`: all Succeeded and 30 s idle" },
    };
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}
