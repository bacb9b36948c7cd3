import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JobResultsSchema, JobSchema } from "../../../src/neoengine/wire.js";
import { call, expectError, registerProvider, seedJob, startTestNetwork, submit, type TestNetwork } from "./helpers.js";

let n: TestNetwork;
beforeEach(async () => {
  n = await startTestNetwork();
});
afterEach(async () => n.close());

const get = async (id: string) => JobSchema.parse((await call(n.server, "GET", `/v1/jobs/${id}`, { token: n.alice })).body);

describe("job lifecycle and billing", () => {
  it("pending → scheduled → running → succeeded charges price × runtime and pays the provider", async () => {
    // provider asks 0.02/core-h, 0.01/GiB-h: 2 cores + 4 GiB = 0.08 credits/h
    const prov = await registerProvider(n.server, n.acme);
    const id = await submit(n.server, n.alice);
    expect((await get(id)).status).toBe("pending");
    // escrow = maxPrice 1.0/h × 1h
    expect(await n.server.admin.balances("alice")).toEqual({ available: 999_000_000, escrow: 1_000_000, earnings: 0 });
    await n.server.admin.runScheduler();
    expect(await get(id)).toMatchObject({ status: "scheduled", provider: prov, price: "0.080000", attempts: 1 });
    await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "running" } });
    n.clock.advance(30 * 60_000); // 30 minutes
    const done = await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "succeeded", exitCode: 0 } });
    expect(done.body).toMatchObject({ status: "succeeded", cost: "0.040000", progress: 100, exitCode: 0 });
    expect(await n.server.admin.balances("alice")).toEqual({ available: 999_960_000, escrow: 0, earnings: 0 });
    expect(await n.server.admin.balances("acme")).toEqual({ available: 0, escrow: 0, earnings: 40_000 });
    const results = JobResultsSchema.parse((await call(n.server, "GET", `/v1/jobs/${id}/results`, { token: n.alice })).body);
    expect(results).toMatchObject({ exitCode: 0, durationSeconds: 1800, cost: "0.040000", startedAt: "2026-01-15T12:00:00Z", finishedAt: "2026-01-15T12:30:00Z" });
    const p = (await call(n.server, "GET", `/v1/providers/${prov}`, { token: n.alice })).body;
    expect(p).toMatchObject({ reputation: 510, jobsCompleted: 1 });
  });

  it("a platform fee goes to platform:fees and the provider earns the rest", async () => {
    await n.close();
    n = await startTestNetwork({ feeBasisPoints: 1000 });
    await registerProvider(n.server, n.acme);
    const id = await submit(n.server, n.alice);
    await n.server.admin.runScheduler();
    await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "running" } });
    n.clock.advance(3_600_000);
    await call(n.server, "PUT", `/v1/jobs/${id}/results`, { token: n.acme, body: { exitCode: 0 } });
    expect((await n.server.admin.balances("acme")).earnings).toBe(72_000);
    expect((await n.server.admin.ledger()).balances["platform:fees"]).toBe(8_000);
    expect((await call(n.server, "GET", "/v1/wallet/earnings", { token: n.acme })).body).toMatchObject({ feeBasisPoints: 1000, total: "0.072000" });
  });

  it("a failed job is charged its runtime and results carry the exit code and outputs", async () => {
    await registerProvider(n.server, n.acme);
    const id = await submit(n.server, n.alice);
    await n.server.admin.runScheduler();
    await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "running" } });
    n.clock.advance(15 * 60_000);
    const output = { name: "out.txt", sizeBytes: 5, sha256: "a".repeat(64), contentBase64: "aGVsbG8=" };
    const put = await call(n.server, "PUT", `/v1/jobs/${id}/results`, { token: n.acme, body: { exitCode: 3, message: "boom", outputs: [output] } });
    expect(put.status).toBe(200);
    expect(await get(id)).toMatchObject({ status: "failed", exitCode: 3, message: "boom", cost: "0.020000" });
    const results = (await call(n.server, "GET", `/v1/jobs/${id}/results`, { token: n.alice })).body;
    expect(results).toMatchObject({ exitCode: 3, message: "boom", outputs: [output], durationSeconds: 900 });
  });

  it("cancel of a running job charges the runtime so far; a second cancel is 409", async () => {
    await registerProvider(n.server, n.acme);
    const id = await submit(n.server, n.alice);
    await n.server.admin.runScheduler();
    await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "running" } });
    n.clock.advance(6 * 60_000);
    const res = await call(n.server, "POST", `/v1/jobs/${id}/cancel`, { token: n.alice });
    expect(res.body).toMatchObject({ status: "cancelled", cost: "0.008000" });
    expectError(await call(n.server, "POST", `/v1/jobs/${id}/cancel`, { token: n.alice }), 409, "CONFLICT");
    // the provider learns it through assignments: the job is gone from the set
    const prov = (await call(n.server, "GET", "/v1/providers", { token: n.acme })).body.providers[0].id;
    const a = await call(n.server, "GET", `/v1/providers/${prov}/assignments?wait=0`, { token: n.acme });
    expect(a.body.assignments).toEqual([]);
    // events after the end are refused
    expectError(await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { progress: 50 } }), 409, "CONFLICT");
  });

  it("cancel of a pending job releases the whole escrow", async () => {
    const id = await submit(n.server, n.alice);
    const res = await call(n.server, "POST", `/v1/jobs/${id}/cancel`, { token: n.alice, body: {} });
    expect(res.body).toMatchObject({ status: "cancelled", cost: "0.000000" });
    expect(await n.server.admin.balances("alice")).toEqual({ available: 1_000_000_000, escrow: 0, earnings: 0 });
  });

  it("a running job past its timeout becomes timed_out and is charged the full timeout", async () => {
    const prov = await registerProvider(n.server, n.acme);
    const id = await submit(n.server, n.alice, { ...seedJob(), timeout: "90s" });
    await n.server.admin.runScheduler();
    await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "running" } });
    n.clock.advance(45_000);
    await call(n.server, "POST", `/v1/providers/${prov}/heartbeat`, { token: n.acme });
    n.clock.advance(44_000);
    await call(n.server, "POST", `/v1/providers/${prov}/heartbeat`, { token: n.acme });
    await n.server.admin.runScheduler();
    expect((await get(id)).status).toBe("running");
    n.clock.advance(1_000);
    expect((await n.server.admin.runScheduler()).timedOut).toBe(1);
    // 0.08/h × 90 s = 0.002
    expect(await get(id)).toMatchObject({ status: "timed_out", cost: "0.002000" });
  });

  it("a repeated final event is a no-op; a different one is 409", async () => {
    await registerProvider(n.server, n.acme);
    const id = await submit(n.server, n.alice);
    await n.server.admin.runScheduler();
    await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "running" } });
    expect((await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "succeeded" } })).status).toBe(200);
    expect((await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "succeeded" } })).status).toBe(200);
    expectError(await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "failed" } }), 409, "CONFLICT");
  });

  it("list: status filter (one or several), limit, and cursor pagination newest first", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await submit(n.server, n.alice));
      n.clock.advance(1000);
    }
    await call(n.server, "POST", `/v1/jobs/${ids[0]}/cancel`, { token: n.alice });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = await call(n.server, "GET", `/v1/jobs?limit=2${q}`, { token: n.alice });
      expect(page.status).toBe(200);
      expect(page.body.jobs.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.jobs.map((j: { id: string }) => j.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const pending = (await call(n.server, "GET", "/v1/jobs?status=pending", { token: n.alice })).body.jobs;
    expect(pending.map((j: { id: string }) => j.id)).toEqual(ids.slice(1).reverse());
    const both = (await call(n.server, "GET", "/v1/jobs?status=pending,cancelled&limit=100", { token: n.alice })).body.jobs;
    expect(both).toHaveLength(5);
    expect((await call(n.server, "GET", "/v1/jobs", { token: n.bob })).body.jobs).toEqual([]);
  });

  it("Idempotency-Key: same key and body → same job (200, replayed); other body → 409; other account is separate", async () => {
    const headers = { "Idempotency-Key": "uid-123/attempt-1" };
    const first = await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: seedJob(), headers });
    expect(first.status).toBe(201);
    // same body with keys in another order is the same request
    const { resources, ...rest } = seedJob();
    const again = await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: { resources, ...rest }, headers });
    expect(again.status).toBe(200);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(await n.server.admin.countJobs({ account: "alice" })).toBe(1);
    expect((await n.server.admin.balances("alice")).escrow).toBe(1_000_000);
    expectError(await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: { ...seedJob(), image: "other" }, headers }), 409, "CONFLICT");
    const bobs = await call(n.server, "POST", "/v1/jobs", { token: n.bob, body: seedJob(), headers });
    expect(bobs.status).toBe(201);
    expect(bobs.body.id).not.toBe(first.body.id);
    // after 24 h the key is free again
    n.clock.advance(24 * 3_600_000);
    const later = await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: seedJob(), headers });
    expect(later.status).toBe(201);
    expect(later.body.id).not.toBe(first.body.id);
    expectError(await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: seedJob(), headers: { "Idempotency-Key": "bad key with spaces" } }), 400, "INVALID_PARAMETERS");
  });

  it("expired idempotency keys are purged from storage by the scheduler pass", async () => {
    await n.close();
    const { SqliteDatabase } = await import("../../../src/network/index.js");
    const database = new SqliteDatabase(":memory:");
    n = await startTestNetwork({ database });
    const keys = async () => Number((await database.queryOne<{ c: number }>("SELECT COUNT(*) AS c FROM idempotency_keys"))?.c);
    await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: seedJob(), headers: { "Idempotency-Key": "old" } });
    n.clock.advance(2 * 3_600_000);
    await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: seedJob(), headers: { "Idempotency-Key": "new" } });
    await n.server.admin.runScheduler();
    expect(await keys()).toBe(2);
    n.clock.advance(22 * 3_600_000 + 1); // "old" is now older than 24 h, "new" is not
    await n.server.admin.runScheduler();
    expect(await keys()).toBe(1);
    expect((await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: seedJob(), headers: { "Idempotency-Key": "new" } })).status).toBe(200);
  });

  it("402 INSUFFICIENT_FUNDS when the balance cannot cover maxPrice × timeout", async () => {
    await n.server.admin.createAccount("poor", "free", "0.5");
    const poor = await n.server.admin.createToken("poor");
    const err = expectError(await call(n.server, "POST", "/v1/jobs", { token: poor, body: seedJob() }), 402, "INSUFFICIENT_FUNDS");
    expect(err.details).toMatchObject({ field: "maxPrice", required: "1.000000", available: "0.500000" });
    expect(await n.server.admin.countJobs({ account: "poor" })).toBe(0);
    const ok = await call(n.server, "POST", "/v1/jobs", { token: poor, body: { ...seedJob(), timeout: "30m" } });
    expect(ok.status).toBe(201);
    expectError(await call(n.server, "POST", "/v1/jobs", { token: poor, body: { ...seedJob(), timeout: "1m" } }), 402, "INSUFFICIENT_FUNDS");
  });

  it("logs: tail=N, provider JSON appends, follow streams until the job ends", async () => {
    await registerProvider(n.server, n.acme);
    const id = await submit(n.server, n.alice);
    await n.server.admin.runScheduler();
    await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "running" } });
    await call(n.server, "POST", `/v1/jobs/${id}/logs`, { token: n.acme, raw: "one\ntwo\n", contentType: "text/plain" });
    await call(n.server, "POST", `/v1/jobs/${id}/logs`, { token: n.acme, body: { data: "three\n" } });
    expect((await call(n.server, "GET", `/v1/jobs/${id}/logs?tail=2`, { token: n.alice })).text).toBe("two\nthree\n");
    expect((await call(n.server, "GET", `/v1/jobs/${id}/logs?tail=0`, { token: n.alice })).text).toBe("");

    const { request } = await import("undici");
    const res = await request(`${n.server.url}/v1/jobs/${id}/logs?follow=true&tail=1`, { headers: { authorization: `Bearer ${n.alice}` } });
    expect(res.statusCode).toBe(200);
    const received: string[] = [];
    const reader = (async () => {
      for await (const chunk of res.body) received.push(Buffer.from(chunk as Uint8Array).toString("utf8"));
    })();
    // wait until the stream delivered the tail before appending more
    await waitFor(() => received.join("") === "three\n");
    await call(n.server, "POST", `/v1/jobs/${id}/logs`, { token: n.acme, raw: "four\n", contentType: "text/plain" });
    await waitFor(() => received.join("") === "three\nfour\n");
    await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "succeeded" } });
    await reader; // the stream ends because the job ended
    expect(received.join("")).toBe("three\nfour\n");
  });

  it("log storage per job is bounded: oldest chunks are dropped", async () => {
    await n.close();
    n = await startTestNetwork({ maxLogBytesPerJob: 10 });
    await registerProvider(n.server, n.acme);
    const id = await submit(n.server, n.alice);
    await n.server.admin.runScheduler();
    for (const line of ["aaaa\n", "bbbb\n", "cccc\n"]) {
      await call(n.server, "POST", `/v1/jobs/${id}/logs`, { token: n.acme, raw: line, contentType: "text/plain" });
    }
    expect((await call(n.server, "GET", `/v1/jobs/${id}/logs`, { token: n.alice })).text).toBe("bbbb\ncccc\n");
  });
});

/** Polls a condition with a deadline (for stream delivery, which has no event to await). */
async function waitFor(cond: () => boolean, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not reached before the deadline");
    await new Promise((r) => setImmediate(r));
  }
}
