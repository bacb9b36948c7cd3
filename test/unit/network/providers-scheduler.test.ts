import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AssignmentsResponseSchema, HeartbeatResponseSchema, MarketStatsSchema } from "../../../src/neoengine/wire.js";
import { fairOrder } from "../../../src/network/core/scheduler.js";
import type { JobRow } from "../../../src/network/core/job-row.js";
import { call, expectError, gpuProvider, registerProvider, seedJob, startTestNetwork, submit, type TestNetwork } from "./helpers.js";

let n: TestNetwork;
beforeEach(async () => {
  n = await startTestNetwork();
});
afterEach(async () => n.close());

const job = async (id: string, token = n.alice) => (await call(n.server, "GET", `/v1/jobs/${id}`, { token })).body;
const gpuJob = (over: Record<string, unknown> = {}) => ({
  ...seedJob(),
  resources: { cpu: 4, memory: "16Gi", gpu: 1, gpuModel: "nvidia-a100" },
  maxPrice: "5.0",
  ...over,
});

describe("provider protocol (extension)", () => {
  it("register is idempotent by name, heartbeat reports free capacity, deregister requeues scheduled jobs", async () => {
    const first = await call(n.server, "POST", "/v1/providers", { token: n.acme, body: gpuProvider() });
    expect(first.status).toBe(201);
    const again = await call(n.server, "POST", "/v1/providers", {
      token: n.acme,
      body: gpuProvider("node-1", { prices: { cpu: "0.03", memory: "0.01", gpu: "0.9" } }),
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.prices.gpu).toBe("0.900000");
    const id = first.body.id as string;

    const hb = await call(n.server, "POST", `/v1/providers/${id}/heartbeat`, { token: n.acme, body: { free: { cpu: 8, memory: "32Gi", gpu: 1 } } });
    expect(HeartbeatResponseSchema.parse(hb.body)).toMatchObject({ id, state: "online", heartbeatTimeoutSeconds: 30 });
    expect((await call(n.server, "GET", `/v1/providers/${id}`, { token: n.alice })).body.free).toEqual({ cpu: 8, memory: "32Gi", gpu: 1 });

    const a = await submit(n.server, n.alice, gpuJob());
    const b = await submit(n.server, n.alice, gpuJob());
    await n.server.admin.runScheduler();
    // reported free capacity (1 GPU) limits scheduling to one job
    expect([(await job(a)).status, (await job(b)).status]).toEqual(["scheduled", "pending"]);

    const del = await call(n.server, "DELETE", `/v1/providers/${id}`, { token: n.acme });
    expect(del.body).toMatchObject({ id, state: "deregistered", online: false });
    expect(await job(a)).toMatchObject({ status: "pending", provider: null });
    expectError(await call(n.server, "POST", `/v1/providers/${id}/heartbeat`, { token: n.acme }), 409, "CONFLICT");
    expect((await call(n.server, "GET", "/v1/providers", { token: n.alice })).body.providers).toEqual([]);
  });

  it("missed heartbeats → offline: scheduled jobs go back to pending, running jobs fail as abandoned (no charge)", async () => {
    const prov = await registerProvider(n.server, n.acme, gpuProvider("p", { resources: { cpu: 4, memory: "16Gi", gpu: 0 } }));
    const running = await submit(n.server, n.alice);
    const scheduled = await submit(n.server, n.alice);
    await n.server.admin.runScheduler();
    await call(n.server, "POST", `/v1/jobs/${running}/events`, { token: n.acme, body: { status: "running" } });
    n.clock.advance(30_000);
    expect((await n.server.admin.runScheduler()).offline).toBe(0);
    n.clock.advance(1);
    expect((await n.server.admin.runScheduler()).offline).toBe(1);
    expect(await job(scheduled)).toMatchObject({ status: "pending", provider: null });
    expect(await job(running)).toMatchObject({ status: "failed", cost: "0.000000" });
    expect((await job(running)).message).toMatch(/provider lost/);
    const p = (await call(n.server, "GET", `/v1/providers/${prov}`, { token: n.alice })).body;
    expect(p).toMatchObject({ state: "offline", online: false, reputation: 450, jobsFailed: 1 });
    expect(await n.server.admin.balances("alice")).toEqual({ available: 999_000_000, escrow: 1_000_000, earnings: 0 });
    // a heartbeat brings it back and the pending job is scheduled again
    await call(n.server, "POST", `/v1/providers/${prov}/heartbeat`, { token: n.acme });
    await n.server.admin.runScheduler();
    expect(await job(scheduled)).toMatchObject({ status: "scheduled", provider: prov, attempts: 2 });
  });

  it("assignments: level-based set with a version; long poll wakes on a new assignment", async () => {
    const prov = await registerProvider(n.server, n.acme);
    const empty = AssignmentsResponseSchema.parse((await call(n.server, "GET", `/v1/providers/${prov}/assignments?wait=0`, { token: n.acme })).body);
    expect(empty.assignments).toEqual([]);
    // a long poll waiting on the current version...
    const poll = call(n.server, "GET", `/v1/providers/${prov}/assignments?wait=20&since=${empty.version}`, { token: n.acme });
    const id = await submit(n.server, n.alice, { ...seedJob(), env: { GREETING: "hi" }, args: ["--x"] });
    await n.server.admin.runScheduler(); // ...is woken by the assignment
    const got = AssignmentsResponseSchema.parse((await poll).body);
    expect(got.version).toBeGreaterThan(empty.version);
    expect(got.assignments).toEqual([
      expect.objectContaining({ jobId: id, status: "scheduled", image: "python:3.11-slim", env: { GREETING: "hi" }, args: ["--x"], timeoutSeconds: 3600, price: "0.080000" }),
    ]);
    // without since: returns at once while a job waits to be started
    const now = await call(n.server, "GET", `/v1/providers/${prov}/assignments?wait=20`, { token: n.acme });
    expect(now.body.assignments).toHaveLength(1);
    await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "running" } });
    const afterStart = await call(n.server, "GET", `/v1/providers/${prov}/assignments?wait=0`, { token: n.acme });
    expect(afterStart.body.assignments[0]).toMatchObject({ jobId: id, status: "running" });
    // a cancel removes it from the set and wakes a poller
    const poll2 = call(n.server, "GET", `/v1/providers/${prov}/assignments?wait=20&since=${afterStart.body.version}`, { token: n.acme });
    await call(n.server, "POST", `/v1/jobs/${id}/cancel`, { token: n.alice });
    expect((await poll2).body.assignments).toEqual([]);
  });

  it("a long poll with nothing new returns after wait seconds with the same version", async () => {
    await n.close();
    n = await startTestNetwork({ defaultAssignmentWaitSeconds: 0 });
    const prov = await registerProvider(n.server, n.acme);
    const res = await call(n.server, "GET", `/v1/providers/${prov}/assignments`, { token: n.acme });
    expect(res.status).toBe(200);
    expect(res.body.assignments).toEqual([]);
  });

  it("provider endpoints are scoped to the provider's account: another account's provider/job is 404", async () => {
    await n.server.admin.createAccount("rival", "pro", "0");
    const rival = await n.server.admin.createToken("rival", { provider: true });
    const prov = await registerProvider(n.server, n.acme);
    const id = await submit(n.server, n.alice);
    await n.server.admin.runScheduler();
    expectError(await call(n.server, "POST", `/v1/providers/${prov}/heartbeat`, { token: rival }), 404, "NOT_FOUND");
    expectError(await call(n.server, "GET", `/v1/providers/${prov}/assignments?wait=0`, { token: rival }), 404, "NOT_FOUND");
    expectError(await call(n.server, "DELETE", `/v1/providers/${prov}`, { token: rival }), 404, "NOT_FOUND");
    expectError(await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: rival, body: { status: "running" } }), 404, "NOT_FOUND");
    expectError(await call(n.server, "POST", `/v1/jobs/${id}/logs`, { token: rival, raw: "x", contentType: "text/plain" }), 404, "NOT_FOUND");
    expectError(await call(n.server, "PUT", `/v1/jobs/${id}/results`, { token: rival, body: { exitCode: 0 } }), 404, "NOT_FOUND");
    // the same name in another account is another provider
    const other = await call(n.server, "POST", "/v1/providers", { token: rival, body: gpuProvider() });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(prov);
  });

  it("gpuModel is required with gpus; providers list filters by model, online and pages by cursor", async () => {
    expectError(
      await call(n.server, "POST", "/v1/providers", { token: n.acme, body: gpuProvider("x", { resources: { cpu: 4, memory: "8Gi", gpu: 2 } }) }),
      400,
      "INVALID_PARAMETERS",
    );
    const ids = [
      await registerProvider(n.server, n.acme, gpuProvider("a")),
      await registerProvider(n.server, n.acme, gpuProvider("b", { resources: { cpu: 8, memory: "64Gi", gpu: 8, gpuModel: "nvidia-h100" } })),
      await registerProvider(n.server, n.acme, gpuProvider("c")),
    ];
    const h100 = (await call(n.server, "GET", "/v1/providers?gpuModel=nvidia-h100", { token: n.alice })).body.providers;
    expect(h100.map((p: { id: string }) => p.id)).toEqual([ids[1]]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { providers: { id: string }[]; nextCursor: string | null } = (await call(n.server, "GET", `/v1/providers?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token: n.alice })).body;
      seen.push(...page.providers.map((p: { id: string }) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());
    n.clock.advance(31_000);
    await call(n.server, "POST", `/v1/providers/${ids[0]}/heartbeat`, { token: n.acme });
    expect((await call(n.server, "GET", "/v1/providers?online=true", { token: n.alice })).body.providers.map((p: { id: string }) => p.id)).toEqual([ids[0]]);
    expect((await call(n.server, "GET", "/v1/providers?online=false", { token: n.alice })).body.providers).toHaveLength(2);
    expectError(await call(n.server, "GET", "/v1/providers/prov_doesnotexist", { token: n.alice }), 404, "NOT_FOUND");
  });
});

describe("scheduler", () => {
  it("picks the cheapest matching provider, then the highest reputation", async () => {
    const cheap = await registerProvider(n.server, n.acme, gpuProvider("cheap", { prices: { cpu: "0.01", memory: "0.01", gpu: "0.50" } }));
    await registerProvider(n.server, n.acme, gpuProvider("dear", { prices: { cpu: "0.01", memory: "0.01", gpu: "0.90" } }));
    const id = await submit(n.server, n.alice, gpuJob());
    await n.server.admin.runScheduler();
    expect((await job(id)).provider).toBe(cheap);
  });

  it("respects GPU model, maxPrice, minReputation and providerIds", async () => {
    const a100 = await registerProvider(n.server, n.acme, gpuProvider("a100"));
    const h100 = await registerProvider(n.server, n.acme, gpuProvider("h100", { resources: { cpu: 32, memory: "256Gi", gpu: 4, gpuModel: "nvidia-h100" }, prices: { cpu: "0.01", memory: "0.01", gpu: "2.0" } }));
    const wantsH100 = await submit(n.server, n.alice, gpuJob({ resources: { cpu: 1, memory: "1Gi", gpu: 1, gpuModel: "nvidia-h100" } }));
    const tooCheap = await submit(n.server, n.alice, gpuJob({ resources: { cpu: 1, memory: "1Gi", gpu: 1, gpuModel: "nvidia-h100" }, maxPrice: "1.0" }));
    const picky = await submit(n.server, n.alice, gpuJob({ placement: { minReputation: 501 } }));
    const pinned = await submit(n.server, n.alice, gpuJob({ resources: { cpu: 1, memory: "1Gi", gpu: 1 }, placement: { providerIds: [h100] } }));
    const anyModel = await submit(n.server, n.alice, gpuJob({ resources: { cpu: 1, memory: "1Gi", gpu: 1 } }));
    await n.server.admin.runScheduler();
    expect((await job(wantsH100)).provider).toBe(h100);
    expect((await job(tooCheap)).status).toBe("pending");
    expect((await job(picky)).status).toBe("pending");
    expect((await job(pinned)).provider).toBe(h100);
    expect((await job(anyModel)).provider).toBe(a100);
  });

  it("never over-commits a provider's capacity", async () => {
    await registerProvider(n.server, n.acme, gpuProvider("small", { resources: { cpu: 4, memory: "8Gi", gpu: 0 } }));
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await submit(n.server, n.alice, { ...seedJob(), resources: { cpu: 2, memory: "4Gi" } }));
    await n.server.admin.runScheduler();
    const statuses = await Promise.all(ids.map(async (id) => (await job(id)).status));
    expect(statuses).toEqual(["scheduled", "scheduled", "pending"]);
    const stats = MarketStatsSchema.parse((await call(n.server, "GET", "/v1/market/stats", { token: n.alice })).body);
    expect(stats).toMatchObject({ providersOnline: 1, cpusTotal: 4, cpusFree: 0, jobsByStatus: expect.objectContaining({ scheduled: 2, pending: 1 }) });
  });

  it("is fair across accounts: a burst from one account does not starve another", async () => {
    await registerProvider(n.server, n.acme, gpuProvider("one-slot", { resources: { cpu: 2, memory: "4Gi", gpu: 0 } }));
    for (let i = 0; i < 5; i++) await submit(n.server, n.alice);
    n.clock.advance(1000);
    const bobs = await submit(n.server, n.bob);
    const aliceFirst = (await call(n.server, "GET", "/v1/jobs?limit=100", { token: n.alice })).body.jobs.at(-1).id;
    // slot 1 goes to alice's oldest job; when it ends, bob's single job comes before alice's 2nd
    await n.server.admin.runScheduler();
    expect((await job(aliceFirst)).status).toBe("scheduled");
    await call(n.server, "POST", `/v1/jobs/${aliceFirst}/events`, { token: n.acme, body: { status: "failed" } });
    await n.server.admin.runScheduler();
    expect((await job(bobs, n.bob)).status).toBe("scheduled");
  });

  it("fairOrder interleaves accounts round-robin, oldest first", () => {
    const row = (id: string, account: string, t: number) => ({ id, account_id: account, seq: t }) as JobRow;
    const order = fairOrder([row("a1", "A", 1), row("a2", "A", 2), row("a3", "A", 3), row("b1", "B", 4), row("c1", "C", 0)]);
    expect(order.map((j) => j.id)).toEqual(["c1", "a1", "b1", "a2", "a3"]);
    // B was served least recently → B's and C's first jobs come before A's at the same round
    const rotated = fairOrder([row("a1", "A", 1), row("b1", "B", 4), row("c1", "C", 5)], new Map([["A", 7], ["C", 3]]));
    expect(rotated.map((j) => j.id)).toEqual(["b1", "c1", "a1"]);
  });

  it("a scheduled job its provider does not start within the start timeout returns to pending", async () => {
    await n.close();
    n = await startTestNetwork({ startTimeoutMs: 10 * 60_000, heartbeatTimeoutMs: 3_600_000 });
    const prov = await registerProvider(n.server, n.acme);
    const id = await submit(n.server, n.alice);
    await n.server.admin.runScheduler();
    n.clock.advance(10 * 60_000 - 1);
    expect((await n.server.admin.runScheduler()).requeued).toBe(0);
    n.clock.advance(1);
    const pass = await n.server.admin.runScheduler();
    expect(pass.requeued).toBe(1);
    // requeued, then matched again in the same pass (the only provider): a new attempt
    expect(await job(id)).toMatchObject({ status: "scheduled", provider: prov, attempts: 2 });
    expect((await call(n.server, "GET", `/v1/providers/${prov}`, { token: n.alice })).body.reputation).toBe(495);
  });

  it("closing the server ends open long polls and log follows at once", async () => {
    const prov = await registerProvider(n.server, n.acme);
    const id = await submit(n.server, n.alice);
    await n.server.admin.runScheduler();
    await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "running" } });
    const { version } = (await call(n.server, "GET", `/v1/providers/${prov}/assignments?wait=0`, { token: n.acme })).body;
    const poll = call(n.server, "GET", `/v1/providers/${prov}/assignments?wait=60&since=${version}`, { token: n.acme }).catch((e: Error) => e);
    const follow = call(n.server, "GET", `/v1/jobs/${id}/logs?follow=true`, { token: n.alice }).catch((e: Error) => e);
    // both requests are in flight once the server has counted them
    while (n.server.admin.requestCount("GET /v1/jobs/:jobId/logs") === 0 || n.server.admin.requestCount("GET /v1/providers/:providerId/assignments") < 2) {
      await new Promise((r) => setImmediate(r));
    }
    await n.server.close();
    const [p, f] = await Promise.all([poll, follow]);
    // each either got a final answer or saw its connection closed: neither keeps close() waiting
    if (!(p instanceof Error)) expect(p.body.version).toBe(version);
    if (!(f instanceof Error)) expect(f.status).toBe(200);
  });

  it("market prices come only from online providers", async () => {
    expect((await call(n.server, "GET", "/v1/market/prices", { token: n.alice })).body).toEqual({ cpu: null, memory: null, gpu: {} });
    await registerProvider(n.server, n.acme);
    expect((await call(n.server, "GET", "/v1/market/prices", { token: n.alice })).body.gpu).toEqual({ "nvidia-a100": { min: 0.75, avg: 0.75, max: 0.75 } });
    n.clock.advance(31_000);
    expect((await call(n.server, "GET", "/v1/market/prices", { token: n.alice })).body.gpu).toEqual({});
  });
});
