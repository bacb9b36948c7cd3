// The job runner's reporting path against the reference network on loopback, with the Pods log
// API and the Pod cache served by a stub (unit test: no cluster). Covers what kwok cannot show in
// the e2e tests: progress from `neo:progress=N` log lines and log shipping.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock, Informer, silentLogger, type KubeClient, type KubeObject, type ListerWatcher } from "../../../src/kube/index.js";
import { NeoEngineClient } from "../../../src/neoengine/index.js";
import { startNetworkServer, type NetworkServer } from "../../../src/network/index.js";
import { JobRunner, type JobOwner } from "../../../src/controllers/neoprovider/job-runner.js";
import { buildJobPod } from "../../../src/controllers/neoprovider/build/job-pod.js";
import { DEFAULT_OPTIONS } from "../../../src/controllers/neoprovider/options.js";
import type { NodeAgent } from "../../../src/controllers/neoprovider/node-agent.js";
import type { Assignment } from "../../../src/neoengine/wire.js";

function staticInformer(items: KubeObject[]): Informer<KubeObject> {
  const lw: ListerWatcher = {
    resource: "pods",
    list: async () => ({ items, resourceVersion: "1" }),
    watch: async () => ({ abort: () => undefined }),
  };
  return new Informer({ listerWatcher: lw });
}

describe("JobRunner reporting", () => {
  let network: NetworkServer;
  let provider: NeoEngineClient;
  let consumer: NeoEngineClient;

  beforeEach(async () => {
    network = await startNetworkServer({ schedulerIntervalMs: 0 });
    await network.admin.createAccount("farm", "pro");
    await network.admin.createAccount("alice", "pro", "100");
    provider = new NeoEngineClient({ baseUrl: `${network.url}/v1`, token: await network.admin.createToken("farm", { provider: true }), rateLimiter: false });
    consumer = new NeoEngineClient({ baseUrl: `${network.url}/v1`, token: await network.admin.createToken("alice"), rateLimiter: false });
  });
  afterEach(async () => {
    await provider.close();
    await consumer.close();
    await network.close();
  });

  it("reports running, progress from log lines, ships the log, then results, and deletes the Pod", async () => {
    const p = await provider.registerProvider({ name: "np.gpu-1", resources: { cpu: 32, memory: "256Gi", gpu: 8, gpuModel: "nvidia-a100" }, prices: { cpu: "0", memory: "0", gpu: "2.0" } });
    await provider.heartbeat(p.id);
    const { id } = await consumer.submitJob({ image: "busybox", resources: { cpu: 1, memory: "1Gi", gpu: 1, gpuModel: "nvidia-a100" }, maxPrice: "10", timeout: "1h" });
    await network.admin.runScheduler();
    const assignment = (await provider.getAssignments(p.id)).assignments[0] as Assignment;
    expect(assignment.jobId).toBe(id);

    const pod = buildJobPod(assignment, { namespace: "jobs", neoProviderName: "np", providerId: p.id, nodeName: "gpu-1", gpuResource: "nvidia.com/gpu", allowRootContainers: false, tolerations: [] }) as unknown as KubeObject;
    (pod.spec as Record<string, unknown>).nodeName = "gpu-1";
    pod.status = { phase: "Running", containerStatuses: [{ name: "job", state: { running: { startedAt: "2026-01-01T00:00:00Z" } } }] };
    const informer = staticInformer([pod]);
    informer.start();
    await informer.waitForSync();

    let logBody = "2026-01-01T00:00:01.000000001Z starting\n2026-01-01T00:00:02Z neo:progress=40\n";
    const deleted: string[] = [];
    const kube = {
      request: async () => logBody,
      delete: async (_t: unknown, ref: { name: string }) => void deleted.push(ref.name),
      create: async () => ({}),
    } as unknown as KubeClient;
    const clock = new FakeClock(Date.now());
    const agent = { providerId: p.id, nodeName: "gpu-1", intent: "online", assignments: new Map([[id, assignment]]), offer: {} } as unknown as NodeAgent;
    const owner: JobOwner = { agent, np: { metadata: { name: "np" }, spec: { jobNamespace: "jobs" } } as JobOwner["np"], client: provider };
    const events: string[] = [];
    const runner = new JobRunner({
      kube,
      clock,
      log: silentLogger,
      options: { ...DEFAULT_OPTIONS, logFlushIntervalMs: 0 },
      jobPods: informer,
      owner: () => owner,
      neoProviderExists: () => true,
      nodeExists: () => true,
      event: (_np, _type, reason) => events.push(reason),
      enqueuePod: () => undefined,
    });
    const key = `jobs/${String(pod.metadata.name)}`;

    const action = await runner.reconcilePod(key);
    expect(action).toEqual({ kind: "requeueAfter", ms: DEFAULT_OPTIONS.logPollIntervalMs });
    let job = await consumer.getJob(id);
    expect(job).toMatchObject({ status: "running", progress: 40 });
    expect(await consumer.getJobLogs(id)).toBe("starting\nneo:progress=40\n");

    // The next read overlaps the last second; only new lines are shipped.
    logBody = "2026-01-01T00:00:02Z neo:progress=40\n2026-01-01T00:00:03Z epoch 2\n2026-01-01T00:00:04Z neo:progress=90\n";
    await runner.reconcilePod(key);
    job = await consumer.getJob(id);
    expect(job.progress).toBe(90);
    expect(await consumer.getJobLogs(id)).toBe("starting\nneo:progress=40\nepoch 2\nneo:progress=90\n");

    // Succeeded: results with the termination message, the Pod deleted.
    pod.status = {
      phase: "Succeeded",
      containerStatuses: [{ name: "job", state: { terminated: { exitCode: 0, message: "loss=0.1", startedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T00:00:05Z" } } }],
    };
    logBody = "2026-01-01T00:00:04Z neo:progress=90\n2026-01-01T00:00:05Z done";
    expect(await runner.reconcilePod(key)).toEqual({ kind: "done" });
    job = await consumer.getJob(id);
    expect(job).toMatchObject({ status: "succeeded", exitCode: 0, message: "loss=0.1" });
    expect(await consumer.getJobLogs(id)).toContain("done\n");
    expect(deleted).toEqual([pod.metadata.name]);
    expect(events).toContain("JobSucceeded");
    await informer.stop();
  });

  it("a log read failure (no kubelet) yields no progress but still reports the job", async () => {
    const p = await provider.registerProvider({ name: "np.gpu-2", resources: { cpu: 32, memory: "256Gi", gpu: 8, gpuModel: "nvidia-a100" }, prices: { cpu: "0", memory: "0", gpu: "2.0" } });
    await provider.heartbeat(p.id);
    const { id } = await consumer.submitJob({ image: "busybox", resources: { cpu: 1, memory: "1Gi", gpu: 1, gpuModel: "nvidia-a100" }, maxPrice: "10", timeout: "1h" });
    await network.admin.runScheduler();
    const assignment = (await provider.getAssignments(p.id)).assignments[0] as Assignment;
    const pod = buildJobPod(assignment, { namespace: "jobs", neoProviderName: "np", providerId: p.id, nodeName: "gpu-2", gpuResource: "nvidia.com/gpu", allowRootContainers: false, tolerations: [] }) as unknown as KubeObject;
    pod.status = { phase: "Failed", containerStatuses: [{ name: "job", state: { terminated: { exitCode: 3, message: "bad input", startedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T00:00:05Z" } } }] };
    const informer = staticInformer([pod]);
    informer.start();
    await informer.waitForSync();
    let logReads = 0;
    const kube = {
      request: async () => {
        logReads++;
        throw new Error("dial tcp 127.0.0.1:10250: connect: connection refused");
      },
      delete: async () => undefined,
    } as unknown as KubeClient;
    const agent = { providerId: p.id, nodeName: "gpu-2", intent: "online", assignments: new Map([[id, assignment]]), offer: {} } as unknown as NodeAgent;
    const runner = new JobRunner({
      kube,
      clock: new FakeClock(Date.now()),
      log: silentLogger,
      options: DEFAULT_OPTIONS,
      jobPods: informer,
      owner: () => ({ agent, np: { metadata: { name: "np" }, spec: { jobNamespace: "jobs" } } as JobOwner["np"], client: provider }),
      neoProviderExists: () => true,
      nodeExists: () => true,
      event: () => undefined,
      enqueuePod: () => undefined,
    });
    expect(await runner.reconcilePod(`jobs/${String(pod.metadata.name)}`)).toEqual({ kind: "done" });
    expect(logReads).toBe(1);
    const job = await consumer.getJob(id);
    expect(job).toMatchObject({ status: "failed", exitCode: 3 });
    expect(job.message).toBe("exit code 3: bad input");
    expect(job.progress ?? 0).toBe(0);
    await informer.stop();
  });
});
