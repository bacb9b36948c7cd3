// `npm run demo`: the whole product on embedded defaults, on this machine alone.
// Starts a real control plane (building it first if needed), adds fake GPU nodes, and
// shows them. Everything it starts is stopped when it ends (or reaped by the next run).
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { startControlPlane, type ControlPlane } from "../devcluster/control-plane.js";
import { fakeGpuNode } from "../devcluster/fake-nodes.js";
import { reapOrphans } from "../devcluster/processes.js";
import { cacheDir } from "../devcluster/versions.js";

const say = (line: string) => console.log(`\n== ${line}`);

async function main(): Promise<void> {
  const runs = join(cacheDir(), "runs");
  await reapOrphans(runs);
  mkdirSync(runs, { recursive: true });
  const dir = join(runs, `demo-${process.pid}`);

  say("starting a real Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)");
  const cp: ControlPlane = await startControlPlane({ dir, ownerPid: process.pid });
  const stop = async () => {
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void stop().then(() => process.exit(130)));
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);

    say("adding fake GPU nodes (kwok)");
    const nodes = [
      fakeGpuNode("gpu-a100-0", { gpus: 8, product: "NVIDIA-A100-SXM4-80GB" }),
      fakeGpuNode("gpu-a100-1", { gpus: 8, product: "NVIDIA-A100-SXM4-80GB" }),
      fakeGpuNode("gpu-h100-0", { gpus: 4, product: "NVIDIA-H100-80GB-HBM3" }),
    ];
    for (const node of nodes) await core.createNode({ body: node });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const list = await core.listNode();
      const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
      if (ready.length === nodes.length) break;
      if (Date.now() > deadline) throw new Error("fake nodes did not become Ready within 30 s");
      await new Promise((r) => setTimeout(r, 200));
    }

    say("kubectl get nodes");
    console.log(
      execFileSync(
        cp.binaries.kubectl,
        ["get", "nodes", "-L", "nvidia.com/gpu.product", "-L", "nvidia.com/gpu.count", "-o", "wide"],
        { env: { ...process.env, KUBECONFIG: cp.kubeconfigPath }, encoding: "utf8" },
      ),
    );
  } finally {
    say("stopping the control plane");
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
