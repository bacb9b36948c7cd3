// `npm run demo`: the whole NeoJob loop on embedded defaults, on this machine alone.
//   1. a real Kubernetes control plane (built first if needed) with fake GPU nodes (kwok);
//   2. the reference NeoEngine network server (in-memory SQLite) with a funded account;
//   3. a simulated provider selling capacity on that network;
//   4. the operator, in this process;
//   5. `kubectl apply -f examples/hello.yaml`, then its phases live until Succeeded.
// Everything it starts is stopped when it ends (or reaped by the next run if killed).
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import { parseNeoJob, type NeoJob } from "../api/index.js";
import { startControlPlane, type ControlPlane } from "../devcluster/control-plane.js";
import { fakeGpuNode } from "../devcluster/fake-nodes.js";
import { reapOrphans } from "../devcluster/processes.js";
import { cacheDir, repoRoot } from "../devcluster/versions.js";
import { installCrds, KubeClient, Resources } from "../kube/index.js";
import { startNetworkServer } from "../network/index.js";
import { startOperator } from "../operator/index.js";
import { startSimProvider } from "../simprovider/index.js";

const say = (line: string) => console.log(`\n== ${line}`);
const DEMO_NAMESPACE = "default";
const JOB_NAME = "hello";

async function main(): Promise<void> {
  const runs = join(cacheDir(), "runs");
  await reapOrphans(runs);
  mkdirSync(runs, { recursive: true });
  const dir = join(runs, `demo-${process.pid}`);
  const cleanups: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));

  try {
    say("1/5 starting a real Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)");
    const cp: ControlPlane = await startControlPlane({ dir, ownerPid: process.pid });
    cleanups.push(async () => {
      await cp.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const kubectl = (...args: string[]) =>
      execFileSync(cp.binaries.kubectl, args, { env: { ...process.env, KUBECONFIG: cp.kubeconfigPath }, encoding: "utf8" });
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const kube = new KubeClient(kc);
    for (const node of [
      fakeGpuNode("gpu-a100-0", { gpus: 8, product: "NVIDIA-A100-SXM4-80GB" }),
      fakeGpuNode("gpu-h100-0", { gpus: 4, product: "NVIDIA-H100-80GB-HBM3" }),
    ]) {
      await kube.create(Resources.node, node as unknown as Record<string, unknown>);
    }
    await installCrds(kube);
    console.log(kubectl("get", "nodes", "-L", "nvidia.com/gpu.product", "-L", "nvidia.com/gpu.count"));

    say("2/5 starting the reference NeoEngine network (embedded SQLite, in memory)");
    const network = await startNetworkServer({ schedulerIntervalMs: 250 });
    cleanups.push(() => network.close());
    // Enterprise tier (custom limits) so the poller may look every second and show progress live;
    // on Pro the planner stretches polling to fit 10,000 requests a day.
    await network.admin.createAccount("ml-team", "enterprise", "100");
    await network.admin.createAccount("gpu-farm", "pro");
    const consumerToken = await network.admin.createToken("ml-team");
    console.log(`network at ${network.url}/v1 — account ml-team (enterprise tier) funded with 100 credits`);

    say("3/5 starting a simulated provider that sells CPU, memory and A100s on the network");
    const provider = await startSimProvider({
      neoengineUrl: network.url,
      token: await network.admin.createToken("gpu-farm", { provider: true }),
      name: "demo-farm",
      jobDurationMs: 8_000,
      progressSteps: 4,
      assignmentWaitSeconds: 2,
    });
    cleanups.push(() => provider.stop());
    console.log(`provider ${provider.id} online`);

    say("4/5 starting the operator");
    const operator = await startOperator({
      kubeconfig: kc,
      neoengineUrl: network.url,
      token: consumerToken,
      metricsAddr: "127.0.0.1:0",
      healthAddr: "127.0.0.1:0",
      pollMinIntervalMs: 500,
      logger: pino({ level: process.env.NEO_LOG_LEVEL ?? "warn" }),
    });
    cleanups.push(() => operator.stop());
    await operator.synced;
    console.log(`operator ${operator.identity} running; metrics on 127.0.0.1:${operator.metricsPort}/metrics`);

    say("5/5 kubectl apply -f examples/hello.yaml");
    console.log(kubectl("apply", "-n", DEMO_NAMESPACE, "-f", join(repoRoot(), "examples", "hello.yaml")).trim());
    const final = await followPhases(kube);

    say("kubectl get neojobs");
    console.log(kubectl("get", "nj", "-n", DEMO_NAMESPACE));
    if (final.status?.phase !== "Succeeded") throw new Error(`NeoJob ended ${final.status?.phase}: ${final.status?.message ?? ""}`);
    say(`NeoJob ${JOB_NAME} Succeeded on ${final.status.provider} for ${final.status.cost} credits`);
  } finally {
    say("stopping everything");
    await stopAll();
  }
}

/** Prints each change of phase/progress as it happens; returns the finished NeoJob. */
async function followPhases(kube: KubeClient): Promise<NeoJob> {
  const deadline = Date.now() + 120_000;
  let last = "";
  for (;;) {
    const job = parseNeoJob(await kube.get(Resources.neoJob, { namespace: DEMO_NAMESPACE, name: JOB_NAME }));
    const s = job.status;
    const line = `phase=${s?.phase ?? "Pending"} progress=${s?.progress ?? 0}% provider=${s?.provider ?? "-"} jobId=${s?.jobId ?? "-"} cost=${s?.cost ?? "-"}`;
    if (line !== last) {
      console.log(`${new Date().toISOString().slice(11, 23)}  ${line}`);
      last = line;
    }
    if (s?.phase === "Succeeded" || s?.phase === "Failed" || s?.phase === "Cancelled") return job;
    if (Date.now() > deadline) throw new Error("the NeoJob did not finish within 120 s");
    await new Promise((r) => setTimeout(r, 100));
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
