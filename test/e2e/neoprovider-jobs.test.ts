// A consumer's NeoJob (another namespace, through the NeoJob controller) is assigned by the
// network to one of this cluster's GPU nodes, runs there as a Pod (kwok drives Running →
// Succeeded / Failed), and the results flow back: the NeoJob ends with its cost and the
// provider's earnings grow by the same amount less the network fee.
import { describe, expect, it } from "vitest";
import { Resources } from "../../src/kube/index.js";
import { coreApi, freshNamespace, waitFor } from "../helpers/cluster.js";
import {
  annotatePod,
  createNeoProvider,
  gpuNeoJob,
  gpuNodes,
  jobPod,
  neoJobStatus,
  neoProviderStatus,
  providerSecret,
  providerWorld,
  startConsumerOperator,
  startProviderController,
  suffix,
  waitForNodes,
} from "./neoprovider-harness.js";

const FEE_BASIS_POINTS = 1000; // 10 %

async function setup() {
  const world = await providerWorld({ feeBasisPoints: FEE_BASIS_POINTS });
  const a100 = await gpuNodes(world, 2, 8, "NVIDIA-A100-SXM4-80GB");
  const h100 = await gpuNodes(world, 1, 4, "NVIDIA-H100-80GB-HBM3");
  const jobNamespace = `neo-jobs-${suffix()}`;
  const np = `np-jobs-${suffix()}`;
  await createNeoProvider(world, np, {
    prices: { cpu: "0.05", memory: "0.01", gpu: { "nvidia-a100": "2.0", "nvidia-h100": "3.5" } },
    jobNamespace,
    credentialsSecretRef: await providerSecret(world, "default"),
  });
  const controller = await startProviderController(world, { heartbeatIntervalMs: 1_000 });
  await waitForNodes(world, np, (n) => n.filter((x) => x.state === "Online").length === 3, "3 nodes Online");
  const consumerNs = await freshNamespace("consumer");
  await startConsumerOperator(world, consumerNs);
  return { world, a100, h100, jobNamespace, np, controller, consumerNs };
}

describe("network jobs on the provider's GPU nodes", () => {
  it("runs a consumer's NeoJob as a Pod on a matching node, to Succeeded with cost = provider earnings + fee", async () => {
    const { world, a100, jobNamespace, np, consumerNs } = await setup();
    await world.kube.create(Resources.neoJob, gpuNeoJob("train"), consumerNs);

    const jobId = await waitFor(async () => (await neoJobStatus(world, consumerNs, "train")).jobId as string | undefined, { description: "NeoJob submitted" });
    const pod = await waitFor(async () => {
      const p = await jobPod(jobNamespace, jobId);
      return p?.spec?.nodeName && p.status?.phase === "Running" ? p : undefined;
    }, { description: "job Pod Running", timeoutMs: 60_000 });
    // Placed on an A100 node (the job asked for nvidia-a100), with the job's image and env.
    expect(a100).toContain(pod.spec!.nodeName);
    expect(pod.metadata!.labels).toMatchObject({ "neoengine.dev/job-id": jobId, "neoengine.dev/neoprovider": np });
    expect(pod.spec!.containers[0]!.image).toBe("ghcr.io/example/train:1.0");
    expect(pod.spec!.containers[0]!.resources!.limits).toMatchObject({ "nvidia.com/gpu": "1", cpu: "2", memory: "8Gi" });

    // The network has it running; the consumer's NeoJob mirrors that.
    const running = await waitFor(async () => {
      const s = await neoJobStatus(world, consumerNs, "train");
      return s.phase === "Running" ? s : undefined;
    }, { description: "NeoJob Running" });
    const providerId = running.provider as string;
    const nodes = await waitForNodes(world, np, (n) => n.some((x) => x.name === pod.spec!.nodeName && x.runningJobs === 1 && x.freeGpus === 7), "node shows the running job");
    expect(nodes.find((x) => x.name === pod.spec!.nodeName)!.providerId).toBe(providerId);
    const earningsBefore = (await world.network.admin.balances("gpu-farm")).earnings;

    await annotatePod(jobNamespace, pod.metadata!.name!, { "kwok.neoengine.dev/message": "accuracy=0.93", "kwok.neoengine.dev/outcome": "succeeded" });
    const done = await waitFor(async () => {
      const s = await neoJobStatus(world, consumerNs, "train");
      return s.phase === "Succeeded" ? s : undefined;
    }, { description: "NeoJob Succeeded", timeoutMs: 60_000 });

    // Money: the consumer paid cost; the provider earned cost less the 10 % fee.
    const job = await world.consumerClient.getJob(jobId);
    expect(job.status).toBe("succeeded");
    expect(job.exitCode).toBe(0);
    expect(job.message).toBe("accuracy=0.93");
    const costMicro = Math.round(Number(job.cost) * 1e6);
    expect(costMicro).toBeGreaterThan(0);
    expect(done.cost).toBe(job.cost);
    const earned = (await world.network.admin.balances("gpu-farm")).earnings - earningsBefore;
    const fee = Math.floor((costMicro * FEE_BASIS_POINTS) / 10_000);
    expect(Math.abs(earned - (costMicro - fee))).toBeLessThanOrEqual(1);
    const results = await world.consumerClient.getJobResults(jobId);
    expect(results).toMatchObject({ exitCode: 0, message: "accuracy=0.93", cost: job.cost });

    // The NeoProvider shows the earnings; the finished Pod is cleaned up after reporting.
    const earnings = await world.providerClient.getEarnings();
    await waitFor(async () => (await neoProviderStatus(world, np)).earnings === earnings.total, { description: "status.earnings" });
    expect(Number(earnings.total)).toBeGreaterThan(0);
    await waitFor(async () => (await jobPod(jobNamespace, jobId)) === undefined, { description: "finished Pod deleted" });
    const events = await coreApi().listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${np}` });
    expect(events.items.map((e) => e.reason)).toEqual(expect.arrayContaining(["JobStarted", "JobSucceeded"]));
  });

  it("a failing Pod fails the job with its exit code and message", async () => {
    const { world, h100, jobNamespace, consumerNs } = await setup();
    await world.kube.create(Resources.neoJob, gpuNeoJob("crash", { resources: { cpu: 1, memory: "2Gi", gpu: 2, gpuModel: "nvidia-h100" } }), consumerNs);
    const jobId = await waitFor(async () => (await neoJobStatus(world, consumerNs, "crash")).jobId as string | undefined, { description: "NeoJob submitted" });
    const pod = await waitFor(async () => {
      const p = await jobPod(jobNamespace, jobId);
      return p?.status?.phase === "Running" ? p : undefined;
    }, { description: "job Pod Running" });
    expect(h100).toContain(pod.spec!.nodeName);
    await waitFor(async () => (await world.consumerClient.getJob(jobId)).status === "running", { description: "network job running" });
    await annotatePod(jobNamespace, pod.metadata!.name!, { "kwok.neoengine.dev/message": "CUDA out of memory", "kwok.neoengine.dev/outcome": "failed" });
    const failed = await waitFor(async () => {
      const s = await neoJobStatus(world, consumerNs, "crash");
      return s.phase === "Failed" ? s : undefined;
    }, { description: "NeoJob Failed", timeoutMs: 60_000 });
    const job = await world.consumerClient.getJob(jobId);
    expect(job).toMatchObject({ status: "failed", exitCode: 1 });
    expect(job.message).toContain("CUDA out of memory");
    expect(String(failed.message)).toContain("CUDA out of memory");
    await waitFor(async () => (await jobPod(jobNamespace, jobId)) === undefined, { description: "failed Pod deleted" });
  });

  it("a job cancelled on the network has its Pod deleted", async () => {
    const { world, jobNamespace, consumerNs } = await setup();
    await world.kube.create(Resources.neoJob, gpuNeoJob("cancel-me"), consumerNs);
    const jobId = await waitFor(async () => (await neoJobStatus(world, consumerNs, "cancel-me")).jobId as string | undefined, { description: "NeoJob submitted" });
    await waitFor(async () => (await jobPod(jobNamespace, jobId))?.status?.phase === "Running", { description: "job Pod Running" });
    // Deleting the NeoJob (deletionPolicy Cancel) cancels the remote job.
    await world.kube.delete(Resources.neoJob, { namespace: consumerNs, name: "cancel-me" });
    await waitFor(async () => (await world.consumerClient.getJob(jobId)).status === "cancelled", { description: "network job cancelled" });
    await waitFor(async () => (await jobPod(jobNamespace, jobId)) === undefined, { description: "cancelled job's Pod deleted" });
  });
});
