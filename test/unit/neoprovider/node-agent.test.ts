// The node agent against the reference network server on loopback: registration with the
// node's resources and prices, heartbeats carrying free capacity, re-registration by name
// keeping the provider id, the assignment long poll, deregistration. Loops run on a FakeClock,
// so only the requests the test causes (and the long poll) happen.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock, silentLogger } from "../../../src/kube/index.js";
import { NeoEngineClient } from "../../../src/neoengine/index.js";
import { startNetworkServer, type NetworkServer } from "../../../src/network/index.js";
import { NodeAgent } from "../../../src/controllers/neoprovider/node-agent.js";
import type { NodeOffer } from "../../../src/controllers/neoprovider/model/node-offer.js";

const offer: NodeOffer = {
  name: "gpu-1",
  cpuMillis: 32000,
  memoryBytes: 256 * 2 ** 30,
  gpus: 8,
  gpuResource: "nvidia.com/gpu",
  gpuModel: "nvidia-a100",
  gpuMemoryBytes: 80 * 2 ** 30,
  prices: { cpu: "0.05", memory: "0.01", gpu: "2.0" },
  sellable: true,
};

describe("NodeAgent", () => {
  let network: NetworkServer;
  let provider: NeoEngineClient;
  let consumer: NeoEngineClient;
  let clock: FakeClock;
  let free = { cpuMillis: 30000, memoryBytes: 200 * 2 ** 30, gpus: 6 };
  let snapshots = 0;

  beforeEach(async () => {
    network = await startNetworkServer({ schedulerIntervalMs: 0 });
    await network.admin.createAccount("farm", "pro");
    await network.admin.createAccount("alice", "pro", "100");
    provider = new NeoEngineClient({ baseUrl: `${network.url}/v1`, token: await network.admin.createToken("farm", { provider: true }), rateLimiter: false });
    consumer = new NeoEngineClient({ baseUrl: `${network.url}/v1`, token: await network.admin.createToken("alice"), rateLimiter: false });
    clock = new FakeClock(Date.now());
    snapshots = 0;
  });
  afterEach(async () => {
    await provider.close();
    await consumer.close();
    await network.close();
  });

  function agent(o: NodeOffer = offer) {
    return new NodeAgent(o.name, o, {
      neoProviderName: "farm-np",
      client: provider,
      clock,
      log: silentLogger,
      assignmentWaitSeconds: 1,
      heartbeatIntervalMs: 10_000,
      freeCapacity: () => free,
      onAssignments: () => snapshots++,
      requestReconcile: () => undefined,
    });
  }

  it("registers with resources and prices, heartbeats free capacity, deregisters", async () => {
    const a = agent();
    a.intent = "online";
    await a.sync();
    expect(a.state).toBe("Online");
    const p = await provider.getProvider(a.providerId!);
    expect(p).toMatchObject({
      name: "farm-np.gpu-1",
      state: "online",
      resources: { cpu: 32, memory: "256Gi", gpu: 8, gpuModel: "nvidia-a100", gpuMemory: "80Gi" },
      prices: { cpu: "0.050000", memory: "0.010000", gpu: "2.000000" },
    });

    free = { cpuMillis: 30000, memoryBytes: 200 * 2 ** 30, gpus: 6 };
    await a.heartbeat();
    expect((await provider.getProvider(a.providerId!)).free).toEqual({ cpu: 30, memory: "200Gi", gpu: 6 });

    await a.deregister();
    expect(a.state).toBe("Withdrawn");
    expect((await provider.getProvider(p.id)).state).toBe("deregistered");
  });

  it("re-registers on a price change under the same provider id; a fresh agent (restart) gets it too", async () => {
    const a = agent();
    a.intent = "online";
    await a.sync();
    const id = a.providerId;
    const before = a.stats.registrations;
    await a.sync();
    expect(a.stats.registrations).toBe(before); // nothing changed: no request
    a.offer = { ...offer, prices: { ...offer.prices!, gpu: "2.5" } };
    await a.sync();
    expect(a.providerId).toBe(id);
    expect((await provider.getProvider(id!)).prices.gpu).toBe("2.500000");
    await a.stopLoops();

    const restarted = agent();
    restarted.intent = "online";
    await restarted.sync();
    expect(restarted.providerId).toBe(id);
    await restarted.stopLoops();
  });

  it("delivers assignment snapshots from the long poll", async () => {
    const a = agent();
    a.intent = "online";
    await a.sync();
    await a.heartbeat();
    const { id } = await consumer.submitJob({ image: "busybox", resources: { cpu: 1, memory: "1Gi", gpu: 1, gpuModel: "nvidia-a100" }, maxPrice: "10", timeout: "1h" });
    await network.admin.runScheduler();
    for (let i = 0; i < 200 && !a.assignments?.has(id); i++) await new Promise((r) => setImmediate(r)).then(() => clock.flush()).then(() => new Promise((r) => setTimeout(r, 10)));
    expect(a.assignments?.get(id)).toMatchObject({ jobId: id, status: "scheduled", image: "busybox", resources: { gpu: 1 } });
    expect(snapshots).toBeGreaterThan(0);
    await a.stopLoops();
  });

  it("a heartbeat refused because the provider was deregistered elsewhere leads to registering again", async () => {
    const a = agent();
    a.intent = "online";
    await a.sync();
    await a.stopLoops();
    await provider.deregisterProvider(a.providerId!);
    await a.heartbeat();
    expect(a.providerId).toBeUndefined();
    expect(a.state).toBe("Registering");
    await a.sync();
    expect((await provider.getProvider(a.providerId!)).state).toBe("online");
    await a.stopLoops();
  });
});
