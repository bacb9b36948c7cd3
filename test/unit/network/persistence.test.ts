import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { startNetworkServer, SqliteDatabase } from "../../../src/network/index.js";
import { MIGRATIONS } from "../../../src/network/storage/migrations.js";
import { FakeClock, call, gpuProvider, seedJob } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "neo-network-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("restart persistence (file database)", () => {
  it("keeps accounts, hashed tokens, providers, jobs, logs, ledger and idempotency keys", async () => {
    const db = join(dir, "network.db");
    const clock = new FakeClock();
    const opts = { db, now: clock.now, schedulerIntervalMs: 0, scheduleOnEvents: false, logger: pino({ level: "silent" }) };
    let server = await startNetworkServer(opts);
    await server.admin.createAccount("alice", "pro", "100");
    await server.admin.createAccount("acme", "pro", "0");
    const alice = await server.admin.createToken("alice");
    const acme = await server.admin.createToken("acme", { provider: true });
    const prov = (await call(server, "POST", "/v1/providers", { token: acme, body: gpuProvider() })).body.id as string;
    const headers = { "Idempotency-Key": "k-1" };
    const done = (await call(server, "POST", "/v1/jobs", { token: alice, body: seedJob(), headers })).body.id as string;
    const waiting = (await call(server, "POST", "/v1/jobs", { token: alice, body: { ...seedJob(), image: "busybox" } })).body.id as string;
    await server.admin.runScheduler();
    await call(server, "POST", `/v1/jobs/${done}/events`, { token: acme, body: { status: "running" } });
    await call(server, "POST", `/v1/jobs/${done}/logs`, { token: acme, raw: "hello\n", contentType: "text/plain" });
    clock.advance(3_600_000 / 2);
    await call(server, "POST", `/v1/jobs/${done}/events`, { token: acme, body: { status: "succeeded" } });
    const before = {
      job: (await call(server, "GET", `/v1/jobs/${done}`, { token: alice })).body,
      list: (await call(server, "GET", "/v1/jobs", { token: alice })).body,
      provider: (await call(server, "GET", `/v1/providers/${prov}`, { token: alice })).body,
      balance: (await call(server, "GET", "/v1/wallet/balance", { token: alice })).body,
      earnings: (await call(server, "GET", "/v1/wallet/earnings", { token: acme })).body,
      ledger: await server.admin.ledger(),
    };
    await server.close();

    // the token is stored only as a hash
    const raw = new SqliteDatabase(db);
    const tokens = await raw.query<{ token_hash: string }>("SELECT token_hash FROM tokens");
    expect(tokens).toHaveLength(2);
    for (const t of tokens) expect([alice, acme]).not.toContain(t.token_hash);
    expect(tokens.map((t) => t.token_hash).every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
    await raw.close();

    server = await startNetworkServer(opts);
    expect((await call(server, "GET", `/v1/jobs/${done}`, { token: alice })).body).toEqual(before.job);
    expect((await call(server, "GET", "/v1/jobs", { token: alice })).body).toEqual(before.list);
    expect((await call(server, "GET", `/v1/providers/${prov}`, { token: alice })).body).toEqual(before.provider);
    expect((await call(server, "GET", "/v1/wallet/balance", { token: alice })).body).toEqual(before.balance);
    expect((await call(server, "GET", "/v1/wallet/earnings", { token: acme })).body).toEqual(before.earnings);
    expect(await server.admin.ledger()).toEqual(before.ledger);
    expect((await call(server, "GET", `/v1/jobs/${done}/logs`, { token: alice })).text).toBe("hello\n");
    // the idempotency key still maps to the same job
    const replay = await call(server, "POST", "/v1/jobs", { token: alice, body: seedJob(), headers });
    expect(replay.status).toBe(200);
    expect(replay.body.id).toBe(done);
    // the pending job is still scheduled to the provider and the protocol carries on
    const a = await call(server, "GET", `/v1/providers/${prov}/assignments?wait=0`, { token: acme });
    expect(a.body.assignments.map((x: { jobId: string }) => x.jobId)).toEqual([waiting]);
    // migrations are not re-applied
    const check = new SqliteDatabase(db);
    expect(await check.query("SELECT version FROM schema_migrations")).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    await check.close();
    await server.close();
  });
});

describe("restart grace for providers", () => {
  it("does not fail running jobs for heartbeats missed while the server itself was down", async () => {
    const db = join(dir, "grace.db");
    const clock = new FakeClock();
    const opts = { db, now: clock.now, heartbeatTimeoutMs: 30_000, schedulerIntervalMs: 0, scheduleOnEvents: false, logger: pino({ level: "silent" }) };
    let server = await startNetworkServer(opts);
    await server.admin.createAccount("alice", "pro", "100");
    await server.admin.createAccount("acme", "pro", "0");
    const alice = await server.admin.createToken("alice");
    const acme = await server.admin.createToken("acme", { provider: true });
    const prov = (await call(server, "POST", "/v1/providers", { token: acme, body: gpuProvider() })).body.id as string;
    const job = (await call(server, "POST", "/v1/jobs", { token: alice, body: seedJob() })).body.id as string;
    await server.admin.runScheduler();
    await call(server, "POST", `/v1/jobs/${job}/events`, { token: acme, body: { status: "running" } });
    await server.close();

    clock.advance(5 * 60_000); // the server is down for 5 minutes
    server = await startNetworkServer(opts);
    await server.admin.runScheduler();
    expect((await call(server, "GET", `/v1/jobs/${job}`, { token: alice })).body).toMatchObject({ status: "running", provider: prov });

    // The provider comes back within the grace period: nothing was lost.
    clock.advance(10_000);
    expect((await call(server, "POST", `/v1/providers/${prov}/heartbeat`, { token: acme, body: {} })).status).toBe(200);
    clock.advance(25_000);
    await server.admin.runScheduler();
    expect((await call(server, "GET", `/v1/jobs/${job}`, { token: alice })).body).toMatchObject({ status: "running" });

    // A provider that stays silent past the grace and its own timeout is offline as before.
    clock.advance(31_000);
    await server.admin.runScheduler();
    expect((await call(server, "GET", `/v1/jobs/${job}`, { token: alice })).body).toMatchObject({ status: "failed" });
    await server.close();
  });
});
