// End to end over loopback: the client against the REAL reference network server
// (src/network), every endpoint and every error code the network sends. The server's clock is
// injected so runtime (and so cost and earnings) and rate windows are deterministic.

import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NetworkServer } from "../../../src/network/index.js";
import { startNetworkServer } from "../../../src/network/index.js";
import type { RequestEvent } from "../../../src/neoengine/index.js";
import { NeoEngineClient, NeoEngineError } from "../../../src/neoengine/index.js";
import { fakeTime } from "./helpers/scripted-server.js";

async function caught(p: Promise<unknown>): Promise<NeoEngineError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NeoEngineError);
    return e as NeoEngineError;
  }
  throw new Error("expected a NeoEngineError");
}

const JOB = {
  image: "python:3.11-slim",
  command: ["python", "-c", "print('Hello')"],
  resources: { cpu: 2, memory: "4Gi", gpu: 0 },
  maxPrice: "1.0",
  timeout: "1h",
};

describe("client ↔ reference network server", () => {
  let server: NetworkServer;
  let serverNow = Date.UTC(2026, 0, 15, 12, 0, 0);
  let consumer: NeoEngineClient;
  let provider: NeoEngineClient;
  let stranger: NeoEngineClient;
  const events: RequestEvent[] = [];
  let providerId = "";
  let jobId = "";

  beforeAll(async () => {
    server = await startNetworkServer({
      now: () => serverNow,
      schedulerIntervalMs: 0,
      heartbeatTimeoutMs: 24 * 3_600_000,
    });
    await server.admin.createAccount("alice", "pro", "100");
    await server.admin.createAccount("bob", "free", "1");
    await server.admin.createAccount("gpu-co", "pro", "0");
    const baseUrl = `${server.url}/v1`;
    consumer = new NeoEngineClient({
      baseUrl,
      token: await server.admin.createToken("alice"),
      rateLimiter: { tier: "pro" },
      onRequest: (e) => events.push(e),
    });
    provider = new NeoEngineClient({
      baseUrl,
      token: await server.admin.createToken("gpu-co", { provider: true }),
      rateLimiter: { tier: "enterprise" }, // provider tokens have their own limits: learn them
    });
    stranger = new NeoEngineClient({ baseUrl, token: await server.admin.createToken("bob") });
  });

  afterAll(async () => {
    await Promise.all([consumer?.close(), provider?.close(), stranger?.close()]);
    await server?.close();
  });

  it("provider: register, heartbeat, then it is listed with details and in the market", async () => {
    const registered = await provider.registerProvider({
      name: "node-a100-1",
      region: "eu-west",
      resources: { cpu: 8, memory: "32Gi", gpu: 1, gpuModel: "nvidia-a100", gpuMemory: "80Gi" },
      prices: { cpu: "0.02", memory: "0.01", gpu: "0.75" },
    });
    providerId = registered.id;
    expect(providerId).toMatch(/^prov_/);
    // registering the same name again returns the same provider (why the client may retry it)
    expect((await provider.registerProvider({
      name: "node-a100-1",
      region: "eu-west",
      resources: { cpu: 8, memory: "32Gi", gpu: 1, gpuModel: "nvidia-a100", gpuMemory: "80Gi" },
      prices: { cpu: "0.02", memory: "0.01", gpu: "0.75" },
    })).id).toBe(providerId);

    const hb = await provider.heartbeat(providerId, { free: { cpu: 8, memory: "32Gi", gpu: 1 } });
    expect(hb).toMatchObject({ id: providerId, state: "online" });

    const listed = await consumer.listProviders({ gpu: true, minReputation: 100, gpuModel: "nvidia-a100" });
    expect(listed.providers.map((p) => p.id)).toEqual([providerId]);
    expect((await consumer.listProviders({ minReputation: 900 })).providers).toEqual([]);
    const all: string[] = [];
    for await (const p of consumer.iterateProviders({ limit: 1 })) all.push(p.id);
    expect(all).toEqual([providerId]);

    const details = await consumer.getProvider(providerId);
    expect(details).toMatchObject({ id: providerId, name: "node-a100-1", online: true, reputation: 500, resources: { gpu: 1, gpuModel: "nvidia-a100" } });

    const prices = await consumer.getMarketPrices();
    expect(prices.gpu["nvidia-a100"]).toEqual({ min: 0.75, avg: 0.75, max: 0.75 });
    expect(prices.cpu).toEqual({ min: 0.02, avg: 0.02, max: 0.02 });
    const stats = await consumer.getMarketStats();
    expect(stats).toMatchObject({ providersOnline: 1, gpusTotal: 1 });
  });

  it("consumer: submit with an idempotency key is exactly-once; another body with the key is 409", async () => {
    const first = await consumer.submitJob(JOB, { idempotencyKey: "uid-1-attempt-1" });
    expect(first).toMatchObject({ status: "pending" });
    expect(first.id).toMatch(/^job_/);
    jobId = first.id;
    const again = await consumer.submitJob(JOB, { idempotencyKey: "uid-1-attempt-1" });
    expect(again.id).toBe(jobId);
    expect(await server.admin.countJobs({ account: "alice" })).toBe(1);

    const conflict = await caught(consumer.submitJob({ ...JOB, timeout: "2h" }, { idempotencyKey: "uid-1-attempt-1" }));
    expect(conflict).toMatchObject({ status: 409, code: "CONFLICT", retryable: false });
  });

  it("provider protocol: assignment long-poll, events, logs, results; consumer follows the log to the end", async () => {
    const assigned = await provider.getAssignments(providerId, { wait: 5 });
    expect(assigned.assignments.map((a) => [a.jobId, a.status])).toEqual([[jobId, "scheduled"]]);
    expect(assigned.assignments[0]).toMatchObject({ image: JOB.image, command: JOB.command, timeout: "1h" });

    expect((await provider.postJobEvent(jobId, { status: "running" })).status).toBe("running");
    await provider.appendJobLogs(jobId, "starting\n");
    const following = (async () => {
      const lines: string[] = [];
      for await (const line of consumer.followJobLogs(jobId)) lines.push(line);
      return lines;
    })();
    await provider.appendJobLogs(jobId, "Hello\nneo:progress=50\n");
    expect((await provider.postJobEvent(jobId, { progress: 50 })).progress).toBe(50);

    const running = await consumer.getJob(jobId);
    expect(running).toMatchObject({ id: jobId, status: "running", provider: providerId, progress: 50 });
    expect(await consumer.getJobLogs(jobId, { tail: 1 })).toBe("neo:progress=50\n");

    // Results are not there yet: 409 while the job runs.
    expect(await caught(consumer.getJobResults(jobId))).toMatchObject({ status: 409, code: "CONFLICT" });

    serverNow += 30 * 60_000; // the job runs for 30 minutes of server time
    await provider.heartbeat(providerId, { free: { cpu: 6, memory: "28Gi", gpu: 1 } });
    await provider.appendJobLogs(jobId, "done\n");
    const output = Buffer.from("hi");
    const results = await provider.putJobResults(jobId, {
      exitCode: 0,
      message: "ok",
      outputs: [{ name: "out.txt", sizeBytes: 2, sha256: createHash("sha256").update(output).digest("hex"), contentBase64: output.toString("base64") }],
    });
    expect(results).toMatchObject({ exitCode: 0, durationSeconds: 1800 });

    expect(await following).toEqual(["starting", "Hello", "neo:progress=50", "done"]);

    const consumerResults = await consumer.getJobResults(jobId);
    // 2 cores × 0.02 + 4 GiB × 0.01 = 0.08 credits/hour, for half an hour
    expect(consumerResults).toMatchObject({ exitCode: 0, message: "ok", cost: "0.040000", durationSeconds: 1800 });
    expect(consumerResults.outputs[0]).toMatchObject({ name: "out.txt", sizeBytes: 2, contentBase64: "aGk=" });
    expect((await consumer.getJob(jobId)).status).toBe("succeeded");

    // A repeated final report is a no-op on the network (why postJobEvent may be retried).
    expect((await provider.postJobEvent(jobId, { status: "succeeded" })).status).toBe("succeeded");
  });

  it("jobs: list by status, paginate across pages, cancel (and 409 on a second cancel)", async () => {
    const second = await consumer.submitJob({ ...JOB, resources: { cpu: 1, memory: "1Gi", gpu: 1, gpuModel: "nvidia-h100" } });
    const third = await consumer.submitJob({ ...JOB, resources: { cpu: 1, memory: "1Gi", gpu: 1, gpuModel: "nvidia-h100" } });
    expect((await consumer.listJobs({ status: "succeeded" })).jobs.map((j) => j.id)).toEqual([jobId]);
    const pending = await consumer.listJobs({ status: ["pending", "scheduled"], limit: 1 });
    expect(pending.jobs).toHaveLength(1);
    expect(pending.nextCursor).not.toBeNull();
    const ids: string[] = [];
    for await (const job of consumer.iterateJobs({ limit: 1 })) ids.push(job.id);
    expect(ids.sort()).toEqual([jobId, second.id, third.id].sort());

    expect((await consumer.cancelJob(second.id)).status).toBe("cancelled");
    expect(await caught(consumer.cancelJob(second.id))).toMatchObject({ status: 409, code: "CONFLICT" });
    await consumer.cancelJob(third.id);
  });

  it("wallet: balance, earnings and withdraw; withdrawing more than earned is 402", async () => {
    const balance = await consumer.getBalance();
    expect(balance).toMatchObject({ available: "99.960000", escrowed: "0.000000" });
    const earnings = await provider.getEarnings();
    expect(earnings).toMatchObject({ available: "0.040000", total: "0.040000", withdrawn: "0.000000" });
    const w = await provider.withdraw({ amount: "0.01", destination: "acct-123" });
    expect(w).toMatchObject({ amount: "0.010000", destination: "acct-123" });
    expect((await provider.getEarnings()).available).toBe("0.030000");
    expect(await caught(provider.withdraw({ amount: "5" }))).toMatchObject({ status: 402, code: "INSUFFICIENT_FUNDS" });
  });

  it("every error status comes back as a typed NeoEngineError with the server's code", async () => {
    const e400 = await caught(consumer.submitJob({ ...JOB, resources: { cpu: 0, memory: "4Gi", gpu: 0 } }));
    expect(e400).toMatchObject({
      status: 400,
      code: "INVALID_PARAMETERS",
      message: "cpu must be at least 1",
      details: { field: "resources.cpu", value: 0 },
      retryable: false,
    });

    const badToken = new NeoEngineClient({ baseUrl: `${server.url}/v1`, token: "neo_not_a_real_token" });
    expect(await caught(badToken.getBalance())).toMatchObject({ status: 401, code: "UNAUTHORIZED", retryable: false });
    await badToken.close();

    expect(await caught(stranger.submitJob({ ...JOB, maxPrice: "5", timeout: "10h" }))).toMatchObject({
      status: 402,
      code: "INSUFFICIENT_FUNDS",
    });

    // consumer token on the provider protocol, provider token on consumer endpoints
    expect(await caught(consumer.heartbeat(providerId))).toMatchObject({ status: 403, code: "FORBIDDEN" });
    expect(await caught(provider.submitJob(JOB))).toMatchObject({ status: 403, code: "FORBIDDEN" });

    expect(await caught(consumer.getJob("job_doesnotexist"))).toMatchObject({ status: 404, code: "NOT_FOUND" });
    const follow = consumer.followJobLogs("job_doesnotexist")[Symbol.asyncIterator]();
    expect(await caught(follow.next())).toMatchObject({ status: 404, code: "NOT_FOUND", endpoint: "/jobs/{id}/logs" });
    // another account's job is 404, not 403 (tenancy)
    expect(await caught(stranger.getJob(jobId))).toMatchObject({ status: 404, code: "NOT_FOUND" });

    expect(await caught(consumer.cancelJob(jobId))).toMatchObject({ status: 409, code: "CONFLICT" });
  });

  it("metrics hook sees endpoint templates, never raw ids; the limiter mirrors the server's budget", () => {
    const endpoints = new Set(events.map((e) => `${e.method} ${e.endpoint}`));
    expect(endpoints).toContain("GET /jobs/{id}");
    expect(endpoints).toContain("GET /jobs/{id}/logs");
    expect(endpoints).toContain("POST /jobs");
    expect(JSON.stringify(events)).not.toContain(jobId);
    expect(events.some((e) => e.status === 409 && e.errorCode === "CONFLICT")).toBe(true);

    const budget = consumer.budget();
    expect(budget?.minute.limit).toBe(300);
    expect(budget?.day.limit).toBe(10_000);
    // the provider client started with unknown (enterprise) limits and learned the provider limits
    expect(provider.budget()?.minute.limit).toBeGreaterThan(0);
  });

  it("deregister: the provider leaves the list; a second deregister is harmless", async () => {
    const gone = await provider.deregisterProvider(providerId);
    expect(gone.state).toBe("deregistered");
    expect((await provider.deregisterProvider(providerId)).state).toBe("deregistered");
    expect((await consumer.listProviders()).providers).toEqual([]);
  });
});

describe("client ↔ reference network server: rate limits (429)", () => {
  let server: NetworkServer;
  let token = "";
  // The server's clock stands still, so all requests fall into one minute window.
  const serverNow = Date.UTC(2026, 0, 15, 12, 0, 10);

  beforeAll(async () => {
    server = await startNetworkServer({ now: () => serverNow, schedulerIntervalMs: 0 });
    await server.admin.createAccount("free-user", "free", "10");
    token = await server.admin.createToken("free-user");
  });
  afterAll(async () => {
    await server?.close();
  });

  it("without the client limiter, the 61st request in a minute is a 429 with Retry-After, retried then returned", async () => {
    const time = fakeTime(serverNow);
    const client = new NeoEngineClient({
      baseUrl: `${server.url}/v1`,
      token,
      rateLimiter: false,
      retry: { maxAttempts: 2, baseDelayMs: 100 },
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0.5,
    });
    for (let i = 0; i < 60; i++) await client.getBalance();
    const e = await caught(client.getBalance());
    expect(e).toMatchObject({ status: 429, code: "RATE_LIMITED", retryable: true, attempts: 2 });
    // the clock minute ends 50 s after 12:00:10
    expect(e.retryAfterMs).toBe(50_000);
    expect(time.sleeps).toEqual([50_000]);
    expect(server.admin.requestCount("GET /v1/wallet/balance")).toBe(62);
    await client.close();
  });

  it("with the client limiter in refuse mode, a spent budget is refused locally and nothing is sent", async () => {
    const other = await server.admin.createAccount("free-user-2", "free", "10");
    expect(other).toBeTruthy();
    const time = fakeTime(serverNow);
    const client = new NeoEngineClient({
      baseUrl: `${server.url}/v1`,
      token: await server.admin.createToken("free-user-2"),
      rateLimiter: { tier: "free", mode: "refuse" },
      clock: time.clock,
      sleep: time.sleep,
    });
    const before = server.admin.requestCount("GET /v1/market/stats");
    for (let i = 0; i < 60; i++) await client.getMarketStats();
    expect(client.budget()?.minute).toMatchObject({ limit: 60, remaining: 0 });
    expect(client.budget()?.day).toMatchObject({ limit: 1000, remaining: 940 });
    const e = await caught(client.getMarketStats());
    expect(e).toMatchObject({ code: "CLIENT_RATE_LIMITED", status: 429, retryAfterMs: 50_000 });
    expect(server.admin.requestCount("GET /v1/market/stats") - before).toBe(60);
    await client.close();
  });
});
