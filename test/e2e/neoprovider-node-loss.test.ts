// Losing a node: its running job fails with the reason (and the consumer's NeoJob retries on
// another node), its provider is deregistered, and a job the network had scheduled there but that
// never started goes back to pending and is re-queued onto another node.
import { describe, expect, it } from "vitest";
import { Resources } from "../../src/kube/index.js";
import { freshNamespace, kubectl, waitFor } from "../helpers/cluster.js";
import {
  annotatePod,
  createNeoProvider,
  gpuNeoJob,
  gpuNodes,
  jobPod,
  neoJobStatus,
  providerSecret,
  providerWorld,
  startConsumerOperator,
  startProviderController,
  suffix,
  waitForNodes,
} from "./neoprovider-harness.js";

describe("node loss", () => {
  it("fails the deleted node's running job with the reason, deregisters it, and the NeoJob retries elsewhere", async () => {
    const world = await providerWorld();
    const [x, y] = await gpuNodes(world, 2, 8, "NVIDIA-A100-SXM4-80GB");
    const jobNamespace = `neo-jobs-${suffix()}`;
    const np = `np-loss-${suffix()}`;
    await createNeoProvider(world, np, { prices: { gpu: { "nvidia-a100": "2.0" } }, jobNamespace, credentialsSecretRef: await providerSecret(world, "default") });
    await startProviderController(world, { heartbeatIntervalMs: 1_000 });
    const online = await waitForNodes(world, np, (n) => n.filter((r) => r.state === "Online").length === 2, "2 nodes Online");
    const consumerNs = await freshNamespace("consumer");
    await startConsumerOperator(world, consumerNs);

    await world.kube.create(Resources.neoJob, gpuNeoJob("resilient", { backoffLimit: 1 }), consumerNs);
    const firstJob = await waitFor(async () => (await neoJobStatus(world, consumerNs, "resilient")).jobId as string | undefined, { description: "submitted" });
    const firstPod = await waitFor(async () => {
      const p = await jobPod(jobNamespace, firstJob);
      return p?.status?.phase === "Running" ? p : undefined;
    }, { description: "first Pod Running" });
    await waitFor(async () => (await world.consumerClient.getJob(firstJob)).status === "running", { description: "network job running" });
    const lost = firstPod.spec!.nodeName!;
    const survivor = lost === x ? y! : x!;
    const lostProvider = online.find((n) => n.name === lost)!.providerId!;

    const deleted = await kubectl(["delete", "node", lost, "--wait=false"]);
    expect(deleted.code, deleted.stderr).toBe(0);

    // The running job fails with the node as the reason; the provider leaves the network.
    const failed = await waitFor(async () => {
      const j = await world.consumerClient.getJob(firstJob);
      return j.status === "failed" ? j : undefined;
    }, { description: "first attempt failed", timeoutMs: 60_000 });
    expect(failed.message).toContain(`node ${lost}`);
    await waitFor(async () => (await world.providerClient.getProvider(lostProvider)).state === "deregistered", { description: "lost node deregistered" });
    await waitForNodes(world, np, (n) => n.length === 1 && n[0]!.name === survivor, "status lists only the surviving node");

    // backoffLimit 1: the NeoJob resubmits; the network places it on the surviving node.
    const secondJob = await waitFor(async () => {
      const s = await neoJobStatus(world, consumerNs, "resilient");
      return s.jobId && s.jobId !== firstJob ? (s.jobId as string) : undefined;
    }, { description: "resubmitted", timeoutMs: 60_000 });
    const secondPod = await waitFor(async () => {
      const p = await jobPod(jobNamespace, secondJob);
      return p?.status?.phase === "Running" ? p : undefined;
    }, { description: "second Pod Running" });
    expect(secondPod.spec!.nodeName).toBe(survivor);
    await waitFor(async () => (await world.consumerClient.getJob(secondJob)).status === "running", { description: "second job running" });
    await annotatePod(jobNamespace, secondPod.metadata!.name!, { "kwok.neoengine.dev/outcome": "succeeded" });
    await waitFor(async () => (await neoJobStatus(world, consumerNs, "resilient")).phase === "Succeeded", { description: "NeoJob Succeeded", timeoutMs: 60_000 });
  });

  it("re-queues a job scheduled on a node that vanished while the operator was down", async () => {
    const world = await providerWorld();
    const [x] = await gpuNodes(world, 1, 8, "NVIDIA-A100-SXM4-80GB");
    const jobNamespace = `neo-jobs-${suffix()}`;
    const np = `np-requeue-${suffix()}`;
    await createNeoProvider(world, np, { prices: { gpu: { "nvidia-a100": "2.0" } }, jobNamespace, credentialsSecretRef: await providerSecret(world, "default") });
    const first = await startProviderController(world, { heartbeatIntervalMs: 1_000 });
    const [row] = await waitForNodes(world, np, (n) => n.length === 1 && n[0]!.state === "Online", "node Online");

    // The operator stops (nodes stay registered); the network schedules a job onto node x.
    await first.stop();
    const { id } = await world.consumerClient.submitJob({
      image: "ghcr.io/example/train:1.0",
      resources: { cpu: 1, memory: "1Gi", gpu: 1, gpuModel: "nvidia-a100" },
      maxPrice: "10",
      timeout: "10m",
    });
    await waitFor(async () => {
      const j = await world.consumerClient.getJob(id);
      return j.status === "scheduled" && j.provider === row!.providerId;
    }, { description: "job scheduled on node x" });
    // Node x disappears before any Pod was made for the job.
    const deleted = await kubectl(["delete", "node", x!, "--wait=false"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    await waitFor(async () => (await kubectl(["get", "node", x!])).code !== 0, { description: "node x gone" });

    // A new operator deregisters the vanished node's provider: the network re-queues the job...
    const [z] = await gpuNodes(world, 1, 8, "NVIDIA-A100-PCIE-80GB"); // another name, same model
    await startProviderController(world, { heartbeatIntervalMs: 1_000 });
    await waitFor(async () => (await world.providerClient.getProvider(row!.providerId!)).state === "deregistered", { description: "vanished node deregistered" });
    // ...and places it on node z, where it runs as a Pod.
    const pod = await waitFor(async () => {
      const p = await jobPod(jobNamespace, id);
      return p?.status?.phase === "Running" ? p : undefined;
    }, { description: "re-queued job running on node z", timeoutMs: 60_000 });
    expect(pod.spec!.nodeName).toBe(z);
    const job = await world.consumerClient.getJob(id);
    expect(job.provider).not.toBe(row!.providerId);
  });
});
