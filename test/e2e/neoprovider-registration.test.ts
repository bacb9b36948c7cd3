// Nodes of a cluster registered as NeoEngine providers: the right models, GPU counts and prices
// on the network, GET /market/prices reflecting them, status on the NeoProvider, and withdrawal
// of a cordoned node.
import { describe, expect, it } from "vitest";
import { coreApi, kubectl, waitFor } from "../helpers/cluster.js";
import {
  createNeoProvider,
  gpuNodes,
  neoProviderStatus,
  providerSecret,
  providerWorld,
  startProviderController,
  suffix,
  waitForNodes,
} from "./neoprovider-harness.js";

describe("NeoProvider registration", () => {
  it("registers each selected node with its model, GPUs and prices; the market reflects them", async () => {
    const world = await providerWorld();
    const a100 = await gpuNodes(world, 2, 8, "NVIDIA-A100-SXM4-80GB");
    const h100 = await gpuNodes(world, 1, 4, "NVIDIA-H100-80GB-HBM3");
    // A node without GPUs and a node outside the pool are not sold.
    await gpuNodes(world, 1, 0, "NVIDIA-L4");
    const secret = await providerSecret(world, "default");
    const name = `np-reg-${suffix()}`;
    await createNeoProvider(world, name, {
      prices: { cpu: "0.05", memory: "0.01", gpu: { "nvidia-a100": "2.0", "nvidia-h100": "3.5" } },
      jobNamespace: `neo-jobs-${suffix()}`,
      credentialsSecretRef: secret,
    });
    const controller = await startProviderController(world);

    const nodes = await waitForNodes(world, name, (n) => n.length === 4 && n.filter((x) => x.state === "Online").length === 3, "3 nodes Online");
    const byName = new Map(nodes.map((n) => [n.name, n]));
    for (const node of a100) expect(byName.get(node)).toMatchObject({ gpuModel: "nvidia-a100", gpus: 8, freeGpus: 8, state: "Online", runningJobs: 0 });
    for (const node of h100) expect(byName.get(node)).toMatchObject({ gpuModel: "nvidia-h100", gpus: 4, state: "Online" });
    // The L4 node matches the selector but has no GPU allocatable and no price: not sold.
    const l4 = nodes.find((n) => !a100.includes(n.name) && !h100.includes(n.name));
    expect(l4?.state).toBe("Withdrawn");

    // The network knows the same providers, with the NeoProvider's prices.
    const providers = (await world.providerClient.listProviders({ limit: 100 })).providers.filter((p) => p.state !== "deregistered");
    expect(providers).toHaveLength(3);
    for (const node of [...a100, ...h100]) {
      const row = byName.get(node)!;
      const p = providers.find((x) => x.id === row.providerId);
      expect(p, `provider of ${node}`).toBeDefined();
      expect(p!.online).toBe(true);
      expect(p!.resources).toMatchObject({ gpu: row.gpus, gpuModel: row.gpuModel, cpu: 32, memory: "256Gi", gpuMemory: "80Gi" });
      expect(p!.prices).toEqual({ cpu: "0.050000", memory: "0.010000", gpu: row.gpuModel === "nvidia-a100" ? "2.000000" : "3.500000" });
    }
    const prices = await world.consumerClient.getMarketPrices();
    expect(prices.gpu["nvidia-a100"]).toEqual({ min: 2, avg: 2, max: 2 });
    expect(prices.gpu["nvidia-h100"]).toEqual({ min: 3.5, avg: 3.5, max: 3.5 });
    const stats = await world.consumerClient.getMarketStats();
    expect(stats.gpusTotal).toBe(20);

    const status = await neoProviderStatus(world, name);
    expect(status).toMatchObject({ nodeCount: 4, gpus: 20, freeGpus: 20, runningJobs: 0 });
    expect(status.conditions.find((c: { type: string }) => c.type === "Ready")).toMatchObject({ status: "True" });
    const events = await coreApi().listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${name}` });
    expect(events.items.some((e) => e.reason === "NodeOnline")).toBe(true);

    // Cordoning a node withdraws it from the market; uncordoning brings it back.
    const cordoned = a100[0]!;
    const cordon = await kubectl(["cordon", cordoned]);
    expect(cordon.code, cordon.stderr).toBe(0);
    await waitForNodes(world, name, (n) => n.find((x) => x.name === cordoned)?.state === "Withdrawn", "cordoned node Withdrawn");
    const withdrawnId = byName.get(cordoned)!.providerId!;
    expect((await world.providerClient.getProvider(withdrawnId)).state).toBe("deregistered");
    expect((await neoProviderStatus(world, name)).nodes.find((n: { name: string }) => n.name === cordoned).message).toBe("node is cordoned");
    await waitFor(async () => (await world.consumerClient.getMarketStats()).gpusTotal === 12, { description: "market without the cordoned node" });

    const uncordon = await kubectl(["uncordon", cordoned]);
    expect(uncordon.code, uncordon.stderr).toBe(0);
    await waitForNodes(world, name, (n) => n.find((x) => x.name === cordoned)?.state === "Online", "uncordoned node Online again");
    // Same provider id again: registering by name keeps the node's identity and reputation.
    expect((await neoProviderStatus(world, name)).nodes.find((n: { name: string }) => n.name === cordoned).providerId).toBe(withdrawnId);

    // A NotReady node (kwok leaves nodes annotated status=custom alone) is withdrawn too.
    const sick = a100[1]!;
    const custom = await kubectl(["annotate", "node", sick, "kwok.x-k8s.io/status=custom", "--overwrite"]);
    expect(custom.code, custom.stderr).toBe(0);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const notReady = await kubectl([
      "patch", "node", sick, "--subresource=status", "--type=strategic",
      "-p", JSON.stringify({ status: { conditions: [{ type: "Ready", status: "False", reason: "KubeletNotReady", message: "test", lastHeartbeatTime: now, lastTransitionTime: now }] } }),
    ]);
    expect(notReady.code, notReady.stderr).toBe(0);
    const rows = await waitForNodes(world, name, (n) => n.find((x) => x.name === sick)?.state === "Withdrawn", "NotReady node Withdrawn");
    expect(rows.find((x) => x.name === sick)!.message).toMatch(/NotReady|taint node.kubernetes.io/);
    await controller.stop();
  });
});
