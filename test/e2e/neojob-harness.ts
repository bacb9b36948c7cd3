// Shared setup of the NeoJob e2e tests: the CRDs on the real apiserver, a fresh namespace, the
// reference network server in this process, a consumer account, the simulated provider, and
// (optionally) the operator in this process with its logs captured for the token-leak check.
import { spawn, type ChildProcess } from "node:child_process";
import { Writable } from "node:stream";
import { pino } from "pino";
import { onTestFinished } from "vitest";
import { parseNeoJob, type NeoJob } from "../../src/api/index.js";
import { installCrds, KubeClient, Resources } from "../../src/kube/index.js";
import { createOperatorMetrics } from "../../src/metrics/index.js";
import { startNetworkServer, type NetworkServer, type NetworkServerOptions } from "../../src/network/index.js";
import { startOperator, type OperatorOptions, type RunningOperator } from "../../src/operator/index.js";
import { startSimProvider, type SimProvider } from "../../src/simprovider/index.js";
import { freshNamespace, kubeConfig, kubeconfigPath, waitFor } from "../helpers/cluster.js";

export interface NeoJobWorld {
  kube: KubeClient;
  ns: string;
  network: NetworkServer;
  consumerToken: string;
  provider: SimProvider;
  operator?: RunningOperator;
  /** Everything the operator logged (JSON lines). */
  logs: string[];
  metricsText(): Promise<string>;
}

let crdsInstalled = false;

export async function neoJobWorld(opts: {
  network?: NetworkServerOptions;
  credits?: string;
  operator?: Partial<OperatorOptions> | false;
  jobDurationMs?: number;
} = {}): Promise<NeoJobWorld> {
  const kube = new KubeClient(kubeConfig());
  if (!crdsInstalled) {
    await installCrds(kube);
    crdsInstalled = true;
  }
  const ns = await freshNamespace("nj");
  const network = await startNetworkServer({ schedulerIntervalMs: 200, ...opts.network });
  onTestFinished(() => network.close());
  await network.admin.createAccount("alice", "enterprise", opts.credits ?? "1000");
  await network.admin.createAccount("farm", "enterprise");
  const consumerToken = await network.admin.createToken("alice");
  const provider = await startSimProvider({
    neoengineUrl: network.url,
    token: await network.admin.createToken("farm", { provider: true }),
    jobDurationMs: opts.jobDurationMs ?? 3000,
    progressSteps: 4,
    assignmentWaitSeconds: 2,
    heartbeatMs: 1000,
  });
  onTestFinished(() => provider.stop());
  const logs: string[] = [];
  const metrics = createOperatorMetrics();
  const world: NeoJobWorld = { kube, ns, network, consumerToken, provider, logs, metricsText: () => metrics.render() };
  if (opts.operator !== false) {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(chunk.toString());
        cb();
      },
    });
    world.operator = await startOperator({
      kubeconfig: kubeConfig(),
      neoengineUrl: network.url,
      token: consumerToken,
      namespaces: [ns],
      metricsAddr: "127.0.0.1:0",
      healthAddr: "127.0.0.1:0",
      pollMinIntervalMs: 300,
      secretRefreshMs: 500,
      metrics,
      logger: pino({ level: "debug" }, sink),
      ...opts.operator,
    });
    onTestFinished(() => world.operator!.stop());
    await world.operator.synced;
  }
  return world;
}

export function neoJobManifest(name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) {
  return {
    apiVersion: "neoengine.dev/v1alpha1",
    kind: "NeoJob",
    metadata: { name, ...metadata },
    spec: { image: "python:3.11-slim", command: ["python", "-c", "print('Hello')"], resources: { cpu: 2, memory: "4Gi" }, maxPrice: "1.0", timeout: "1h", ...spec },
  };
}

export async function createNeoJob(world: Pick<NeoJobWorld, "kube" | "ns">, manifest: ReturnType<typeof neoJobManifest>): Promise<NeoJob> {
  return parseNeoJob(await world.kube.create(Resources.neoJob, manifest as unknown as Record<string, unknown>, world.ns));
}

export async function getNeoJob(world: Pick<NeoJobWorld, "kube" | "ns">, name: string): Promise<NeoJob> {
  return parseNeoJob(await world.kube.get(Resources.neoJob, { namespace: world.ns, name }));
}

export function waitForNeoJob(
  world: Pick<NeoJobWorld, "kube" | "ns">,
  name: string,
  cond: (job: NeoJob) => boolean,
  description: string,
  timeoutMs = 60_000,
): Promise<NeoJob> {
  let last: NeoJob | undefined;
  return waitFor(
    async () => {
      const job = await getNeoJob(world, name);
      last = job;
      return cond(job) ? job : false;
    },
    { timeoutMs, intervalMs: 100, description: `${name}: ${description}` },
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; status: ${JSON.stringify(last?.status)}`);
  });
}

export const condition = (job: NeoJob, type: string) => job.status?.conditions?.find((c) => c.type === type);

export interface OperatorProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** Runs `neoengine-operator` as a child process (node --import tsx src/cli/operator.ts). */
export async function spawnOperator(args: string[], env: Record<string, string> = {}): Promise<OperatorProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/operator.ts", "--kubeconfig", kubeconfigPath(), "--metrics-addr", "127.0.0.1:0", "--health-addr", "127.0.0.1:0", ...args],
    { env: { ...process.env, NEO_LOG_LEVEL: "debug", ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output: string[] = [];
  child.stdout.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr.on("data", (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });
  return { child, output, exited, kill: (signal = "SIGTERM") => child.kill(signal) };
}
