// The NeoProvider over time: an operator restart resumes from the existing job Pods without a
// second Pod; pausing drains (the running job finishes, then the node leaves the network);
// deleting the NeoProvider deregisters its nodes and releases the finalizer.
import { describe, expect, it } from "vitest";
import { Resources } from "../../src/kube/index.js";
import { coreApi, waitFor } from "../helpers/cluster.js";
import {
  annotatePod,
  createNeoProvider,
  gpuNodes,
  jobPod,
  neoProviderStatus,
  providerSecret,
  providerWorld,
  startProviderController,
  suffix,
  waitForNodes,
} from "./neoprovider-harness.js";

const submit = (world: Awaited<ReturnType<typeof providerWorld>>) =>
  world.consumerClient.submitJob({ image: "ghcr.io/example/train:1.0", resources: { cpu: 1, memory: "1Gi", gpu: 1, gpuModel: "nvidia-a100" }, maxPrice: "10", timeout: "10m" });

describe("NeoProvider lifecycle", () => {
  it("resumes after an operator restart from the existing Pods, never duplicating them", async () => {
    const world = await providerWorld();
    await gpuNodes(world, 1, 8, "NVIDIA-A100-SXM4-80GB");
    const jobNamespace = `neo-jobs-${suffix()}`;
    const np = `np-restart-${suffix()}`;
    await createNeoProvider(world, np, { prices: { gpu: { "nvidia-a100": "2.0" } }, jobNamespace, credentialsSecretRef: await providerSecret(world, "default") });
    const first = await startProviderController(world, { heartbeatIntervalMs: 1_000 });
    const [row] = await waitForNodes(world, np, (n) => n[0]?.state === "Online", "node Online");
    const { id } = await submit(world);
    const pod = await waitFor(async () => {
      const p = await jobPod(jobNamespace, id);
      return p?.status?.phase === "Running" ? p : undefined;
    }, { description: "Pod Running" });
    await waitFor(async () => (await world.consumerClient.getJob(id)).status === "running", { description: "job running" });

    await first.stop();
    await startProviderController(world, { heartbeatIntervalMs: 1_000 });
    // Same provider id (registered again by name), the same single Pod (same uid).
    await waitForNodes(world, np, (n) => n[0]?.state === "Online" && n[0]?.runningJobs === 1 && n[0]?.providerId === row!.providerId, "node Online again with its job");
    const pods = await coreApi().listNamespacedPod({ namespace: jobNamespace, labelSelector: `neoengine.dev/job-id=${id}` });
    expect(pods.items.map((p) => p.metadata!.uid)).toEqual([pod.metadata!.uid]);
    expect((await world.consumerClient.getJob(id)).status).toBe("running");

    await annotatePod(jobNamespace, pod.metadata!.name!, { "kwok.neoengine.dev/outcome": "succeeded" });
    await waitFor(async () => (await world.consumerClient.getJob(id)).status === "succeeded", { description: "job succeeded after the restart" });
    expect(await world.network.admin.countJobs({ account: "alice" })).toBe(1);
  });

  it("drainPolicy Immediate: pausing fails the running job at once and deletes its Pod", async () => {
    const world = await providerWorld();
    await gpuNodes(world, 1, 8, "NVIDIA-A100-SXM4-80GB");
    const jobNamespace = `neo-jobs-${suffix()}`;
    const np = `np-now-${suffix()}`;
    await createNeoProvider(world, np, { prices: { gpu: { "nvidia-a100": "2.0" } }, jobNamespace, drainPolicy: "Immediate", credentialsSecretRef: await providerSecret(world, "default") });
    await startProviderController(world, { heartbeatIntervalMs: 1_000 });
    const [row] = await waitForNodes(world, np, (n) => n[0]?.state === "Online", "node Online");
    const { id } = await submit(world);
    await waitFor(async () => (await jobPod(jobNamespace, id))?.status?.phase === "Running", { description: "Pod Running" });
    await waitFor(async () => (await world.consumerClient.getJob(id)).status === "running", { description: "job running" });

    await world.kube.mergePatch(Resources.neoProvider, { name: np }, { spec: { paused: true } });
    const failed = await waitFor(async () => {
      const j = await world.consumerClient.getJob(id);
      return j.status === "failed" ? j : undefined;
    }, { description: "job failed by the immediate drain" });
    expect(failed.message).toContain("drainPolicy Immediate");
    await waitForNodes(world, np, (n) => n[0]?.state === "Withdrawn", "node Withdrawn");
    await waitFor(async () => (await jobPod(jobNamespace, id)) === undefined, { description: "Pod deleted" });
    expect((await world.providerClient.getProvider(row!.providerId!)).state).toBe("deregistered");
  });

  it("pause drains: the running job finishes, then the node is withdrawn; delete deregisters and releases the finalizer", async () => {
    const world = await providerWorld();
    await gpuNodes(world, 1, 8, "NVIDIA-A100-SXM4-80GB");
    const jobNamespace = `neo-jobs-${suffix()}`;
    const np = `np-pause-${suffix()}`;
    await createNeoProvider(world, np, { prices: { gpu: { "nvidia-a100": "2.0" } }, jobNamespace, credentialsSecretRef: await providerSecret(world, "default") });
    await startProviderController(world, { heartbeatIntervalMs: 1_000 });
    const [row] = await waitForNodes(world, np, (n) => n[0]?.state === "Online", "node Online");
    const { id } = await submit(world);
    const pod = await waitFor(async () => {
      const p = await jobPod(jobNamespace, id);
      return p?.status?.phase === "Running" ? p : undefined;
    }, { description: "Pod Running" });
    await waitFor(async () => (await world.consumerClient.getJob(id)).status === "running", { description: "job running" });

    await world.kube.mergePatch(Resources.neoProvider, { name: np }, { spec: { paused: true } });
    await waitForNodes(world, np, (n) => n[0]?.state === "Draining", "node Draining");
    // While draining the node advertises no free capacity: a new job is not placed here.
    await waitFor(async () => (await world.providerClient.getProvider(row!.providerId!)).free?.gpu === 0, { description: "no free GPUs advertised" });
    const second = await submit(world);
    expect((await world.consumerClient.getJob(second.id)).status).toBe("pending");
    expect((await world.consumerClient.getJob(id)).status).toBe("running");

    await annotatePod(jobNamespace, pod.metadata!.name!, { "kwok.neoengine.dev/outcome": "succeeded" });
    await waitFor(async () => (await world.consumerClient.getJob(id)).status === "succeeded", { description: "running job finished" });
    await waitForNodes(world, np, (n) => n[0]?.state === "Withdrawn", "node Withdrawn after the drain");
    expect((await world.providerClient.getProvider(row!.providerId!)).state).toBe("deregistered");
    expect((await neoProviderStatus(world, np)).conditions.find((c: { type: string }) => c.type === "Ready")).toMatchObject({ status: "False", reason: "Paused" });

    // Unpause: online again; then delete: deregistered and the finalizer released.
    await world.kube.mergePatch(Resources.neoProvider, { name: np }, { spec: { paused: false } });
    await waitForNodes(world, np, (n) => n[0]?.state === "Online", "node Online after unpause");
    const secondPod = await waitFor(async () => {
      const p = await jobPod(jobNamespace, second.id);
      return p?.status?.phase === "Running" ? p : undefined;
    }, { description: "the waiting job placed and running after unpause" });
    await waitFor(async () => (await world.consumerClient.getJob(second.id)).status === "running", { description: "second job running" });
    // Deleting with drainPolicy Graceful: the NeoProvider stays (finalizer) until its job ends.
    await world.kube.delete(Resources.neoProvider, { name: np });
    await waitForNodes(world, np, (n) => n[0]?.state === "Draining", "node Draining while the NeoProvider is deleted");
    expect((await world.consumerClient.getJob(second.id)).status).toBe("running");
    await annotatePod(jobNamespace, secondPod.metadata!.name!, { "kwok.neoengine.dev/outcome": "succeeded" });
    await waitFor(
      async () =>
        world.kube.get(Resources.neoProvider, { name: np }).then(
          () => false,
          (err: { code?: number }) => err.code === 404,
        ),
      { description: "NeoProvider gone (finalizer released)", timeoutMs: 60_000 },
    );
    expect((await world.providerClient.getProvider(row!.providerId!)).state).toBe("deregistered");
  });
});
