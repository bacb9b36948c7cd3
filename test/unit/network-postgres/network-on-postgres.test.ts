// The reference network server, unchanged, on a real PostgreSQL server: the same core code and
// SQL that run on SQLite. Each test gets a fresh schema of one test database.
import fc from "fast-check";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { AssignmentsResponseSchema, JobResultsSchema, JobSchema, MarketStatsSchema } from "../../../src/neoengine/wire.js";
import { startNetworkServer, type NetworkServerOptions } from "../../../src/network/index.js";
import { MIGRATIONS } from "../../../src/network/storage/migrations.js";
import { FakeClock, call, expectError, gpuProvider, registerProvider, seedJob, startTestNetwork, submit, type TestNetwork } from "../network/helpers.js";
import { LifecycleDriver, SCRIPT, type Op } from "./lifecycle-driver.js";
import { usePostgres } from "./pg-fixture.js";

const pgt = usePostgres();

/** The standard test network (alice, bob, acme; fake clock; scheduler run by hand) on a fresh schema. */
async function pgNetwork(options: NetworkServerOptions = {}): Promise<TestNetwork> {
  return startTestNetwork({ ...options, database: await pgt.database() });
}

async function withNetwork(fn: (n: TestNetwork) => Promise<void>, options: NetworkServerOptions = {}): Promise<void> {
  const n = await pgNetwork(options);
  try {
    await fn(n);
  } finally {
    await n.close();
  }
}

describe("network server on PostgreSQL", () => {
  it("job lifecycle with billing: submit → provider registers → assignment → events → logs → results → balances", () =>
    withNetwork(async (n) => {
      const id = await submit(n.server, n.alice);
      // escrow = maxPrice 1.0/h × 1h
      expect(await n.server.admin.balances("alice")).toEqual({ available: 999_000_000, escrow: 1_000_000, earnings: 0 });
      const prov = await registerProvider(n.server, n.acme);
      await n.server.admin.runScheduler();
      const a = AssignmentsResponseSchema.parse((await call(n.server, "GET", `/v1/providers/${prov}/assignments?wait=0`, { token: n.acme })).body);
      // 2 cores × 0.02 + 4 GiB × 0.01 = 0.08 credits/h
      expect(a.assignments).toEqual([expect.objectContaining({ jobId: id, status: "scheduled", image: "python:3.11-slim", price: "0.080000" })]);
      await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "running" } });
      await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { progress: 40, message: "epoch 4/10" } });
      await call(n.server, "POST", `/v1/jobs/${id}/logs`, { token: n.acme, raw: "one\ntwo\n", contentType: "text/plain" });
      await call(n.server, "POST", `/v1/jobs/${id}/logs`, { token: n.acme, body: { data: "three\n" } });
      expect(JobSchema.parse((await call(n.server, "GET", `/v1/jobs/${id}`, { token: n.alice })).body)).toMatchObject({
        status: "running",
        progress: 40,
        message: "epoch 4/10",
        provider: prov,
      });
      n.clock.advance(30 * 60_000);
      const output = { name: "out.txt", sizeBytes: 5, sha256: "a".repeat(64), contentBase64: "aGVsbG8=" };
      const put = await call(n.server, "PUT", `/v1/jobs/${id}/results`, { token: n.acme, body: { exitCode: 0, outputs: [output] } });
      expect(put.status, put.text).toBe(200);
      expect(JobSchema.parse((await call(n.server, "GET", `/v1/jobs/${id}`, { token: n.alice })).body)).toMatchObject({
        status: "succeeded",
        cost: "0.040000",
        progress: 100,
        exitCode: 0,
      });
      const results = JobResultsSchema.parse((await call(n.server, "GET", `/v1/jobs/${id}/results`, { token: n.alice })).body);
      expect(results).toMatchObject({ exitCode: 0, durationSeconds: 1800, cost: "0.040000", outputs: [output], startedAt: "2026-01-15T12:00:00Z" });
      expect((await call(n.server, "GET", `/v1/jobs/${id}/logs?tail=2`, { token: n.alice })).text).toBe("two\nthree\n");
      expect(await n.server.admin.balances("alice")).toEqual({ available: 999_960_000, escrow: 0, earnings: 0 });
      expect(await n.server.admin.balances("acme")).toEqual({ available: 0, escrow: 0, earnings: 40_000 });
      expect((await call(n.server, "GET", "/v1/wallet/balance", { token: n.alice })).body).toMatchObject({ available: "999.960000", escrowed: "0.000000" });
      expect((await call(n.server, "GET", "/v1/wallet/earnings", { token: n.acme })).body).toMatchObject({ total: "0.040000" });
      expect((await call(n.server, "GET", `/v1/providers/${prov}`, { token: n.alice })).body).toMatchObject({ reputation: 510, jobsCompleted: 1 });
      // market stats aggregate over PostgreSQL (COUNT/SUM come back as numbers)
      await call(n.server, "POST", `/v1/providers/${prov}/heartbeat`, { token: n.acme });
      const stats = MarketStatsSchema.parse((await call(n.server, "GET", "/v1/market/stats", { token: n.alice })).body);
      expect(stats).toMatchObject({ providersOnline: 1, providersTotal: 1, gpusTotal: 4, gpusFree: 4, volume24h: "0.040000", jobsCompleted24h: 1 });
      expect(stats.jobsByStatus).toMatchObject({ succeeded: 1, pending: 0, running: 0 });
    }));

  it("a long poll is woken by an assignment and by a cancel (it never sleeps its whole wait)", { timeout: 20_000 }, () =>
    withNetwork(async (n) => {
      const prov = await registerProvider(n.server, n.acme);
      const v0 = (await call(n.server, "GET", `/v1/providers/${prov}/assignments?wait=0`, { token: n.acme })).body.version as number;
      // wait=60 is longer than this test's deadline: only a wake-up can make it pass
      const poll = call(n.server, "GET", `/v1/providers/${prov}/assignments?wait=60&since=${v0}`, { token: n.acme });
      const id = await submit(n.server, n.alice);
      await n.server.admin.runScheduler();
      const got = AssignmentsResponseSchema.parse((await poll).body);
      expect(got.assignments.map((x) => x.jobId)).toEqual([id]);
      const poll2 = call(n.server, "GET", `/v1/providers/${prov}/assignments?wait=60&since=${got.version}`, { token: n.acme });
      await call(n.server, "POST", `/v1/jobs/${id}/cancel`, { token: n.alice });
      expect((await poll2).body.assignments).toEqual([]);
    }),
  );

  it("Idempotency-Key: replay answers the same job, another body is 409, accounts are separate, concurrent retries make one job", () =>
    withNetwork(async (n) => {
      const headers = { "Idempotency-Key": "uid-123/attempt-1" };
      const first = await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: seedJob(), headers });
      expect(first.status).toBe(201);
      const again = await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: seedJob(), headers });
      expect(again.status).toBe(200);
      expect(again.headers["idempotent-replayed"]).toBe("true");
      expect(again.body).toEqual(first.body);
      expectError(await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: { ...seedJob(), image: "other" }, headers }), 409, "CONFLICT");
      const bobs = await call(n.server, "POST", "/v1/jobs", { token: n.bob, body: seedJob(), headers });
      expect(bobs.status).toBe(201);
      expect(bobs.body.id).not.toBe(first.body.id);
      // ten retries of one request racing each other (pooled connections): exactly one job, one escrow
      const racing = await Promise.all(
        Array.from({ length: 10 }, () => call(n.server, "POST", "/v1/jobs", { token: n.alice, body: seedJob(), headers: { "Idempotency-Key": "race-1" } })),
      );
      expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      expect(new Set(racing.map((r) => r.body.id)).size).toBe(1);
      expect(await n.server.admin.countJobs({ account: "alice" })).toBe(2);
      expect((await n.server.admin.balances("alice")).escrow).toBe(2_000_000);
      // expired after 24 h: the key is free again, and the scheduler pass purges it from storage
      n.clock.advance(24 * 3_600_000 + 1);
      await n.server.admin.runScheduler();
      const later = await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: seedJob(), headers });
      expect(later.status).toBe(201);
      expect(later.body.id).not.toBe(first.body.id);
    }));

  it("concurrent submits never overdraw: the balance admits exactly as many escrows as it covers", () =>
    withNetwork(async (n) => {
      await n.server.admin.createAccount("carol", "pro", "10");
      const carol = await n.server.admin.createToken("carol");
      // escrow 1.0/h × 1h = 1 credit each: 10 of 25 racing submits fit
      const res = await Promise.all(Array.from({ length: 25 }, () => call(n.server, "POST", "/v1/jobs", { token: carol, body: seedJob() })));
      expect(res.filter((r) => r.status === 201)).toHaveLength(10);
      for (const r of res.filter((x) => x.status !== 201)) expectError(r, 402, "INSUFFICIENT_FUNDS");
      expect(await n.server.admin.balances("carol")).toEqual({ available: 0, escrow: 10_000_000, earnings: 0 });
      expect((await n.server.admin.ledger()).entriesSum).toBe(0);
    }));

  it("list pagination: jobs newest first with status filters, providers by cursor", () =>
    withNetwork(async (n) => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        ids.push(await submit(n.server, n.alice));
        n.clock.advance(1000);
      }
      await call(n.server, "POST", `/v1/jobs/${ids[0]}/cancel`, { token: n.alice });
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
        const page = await call(n.server, "GET", `/v1/jobs?limit=3${q}`, { token: n.alice });
        expect(page.status, page.text).toBe(200);
        expect(page.body.jobs.length).toBeLessThanOrEqual(3);
        seen.push(...page.body.jobs.map((j: { id: string }) => j.id));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());
      const pending = (await call(n.server, "GET", "/v1/jobs?status=pending&limit=100", { token: n.alice })).body.jobs;
      expect(pending.map((j: { id: string }) => j.id)).toEqual(ids.slice(1).reverse());
      expect((await call(n.server, "GET", "/v1/jobs?status=pending,cancelled&limit=100", { token: n.alice })).body.jobs).toHaveLength(7);
      expect((await call(n.server, "GET", "/v1/jobs", { token: n.bob })).body.jobs).toEqual([]);

      const provIds: string[] = [];
      for (let i = 0; i < 5; i++) provIds.push(await registerProvider(n.server, n.acme, gpuProvider(`node-${i}`)));
      const listed: string[] = [];
      cursor = null;
      do {
        const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
        const page = await call(n.server, "GET", `/v1/providers?limit=2${q}`, { token: n.alice });
        expect(page.status, page.text).toBe(200);
        listed.push(...page.body.providers.map((p: { id: string }) => p.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect([...listed].sort()).toEqual([...provIds].sort());
      expect(new Set(listed).size).toBe(5);
    }));

  it("text with NUL characters (a container's binary log, an env value) round-trips as on SQLite", () =>
    withNetwork(async (n) => {
      await registerProvider(n.server, n.acme);
      const env = { WEIRD: "a\u0000b\uFFFFc" };
      const id = await submit(n.server, n.alice, { ...seedJob(), env, command: ["echo", "\u0000"] });
      expect((await call(n.server, "GET", `/v1/jobs/${id}`, { token: n.alice })).body).toMatchObject({ env, command: ["echo", "\u0000"] });
      await n.server.admin.runScheduler();
      await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "running", message: "nul\u0000msg" } });
      const log = "bin\u0000ary \uFFFF0 log\n";
      expect((await call(n.server, "POST", `/v1/jobs/${id}/logs`, { token: n.acme, body: { data: log } })).status).toBeLessThan(300);
      expect((await call(n.server, "GET", `/v1/jobs/${id}/logs`, { token: n.alice })).text).toBe(log);
      expect((await call(n.server, "GET", `/v1/jobs/${id}`, { token: n.alice })).body.message).toBe("nul\u0000msg");
    }));

  it("values that fit SQLite's 64-bit INTEGER columns fit here too (they are BIGINT on PostgreSQL)", () =>
    withNetwork(async (n) => {
      await n.server.admin.createAccount("big", "enterprise", "1", { perMinute: 5_000_000_000, perDay: 6_000_000_000 });
      const prov = await registerProvider(n.server, n.acme);
      const hb = await call(n.server, "POST", `/v1/providers/${prov}/heartbeat`, { token: n.acme, body: { free: { cpu: 4, memory: "1Pi", gpu: 1024 } } }); // 2^50 bytes: beyond a 32-bit INTEGER
      expect(hb.status, hb.text).toBe(200);
      const id = await submit(n.server, n.alice);
      await n.server.admin.runScheduler();
      await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "running", exitCode: 2_147_483_647 } });
      expect((await call(n.server, "GET", `/v1/jobs/${id}`, { token: n.alice })).body).toMatchObject({ exitCode: 2_147_483_647 });
    }));

  it("ledger conservation over a scripted run reaching every lifecycle outcome (2.5 % fee)", { timeout: 30_000 }, () =>
    withNetwork(
      async (n) => {
        const driver = new LifecycleDriver(n);
        await driver.registerProviders();
        for (const op of SCRIPT) await driver.apply(op);
        const jobs = await Promise.all(
          driver.jobs.map(async (id) => {
            const owner = (await call(n.server, "GET", `/v1/jobs/${id}`, { token: n.alice })).status === 200 ? n.alice : n.bob;
            return (await call(n.server, "GET", `/v1/jobs/${id}`, { token: owner })).body as { status: string; message: string | null; cost: string };
          }),
        );
        expect(jobs.map((j) => j.status)).toEqual(["succeeded", "failed", "cancelled", "timed_out", "failed", "cancelled", "succeeded", "failed", "scheduled"]);
        expect(jobs[4]?.message).toMatch(/^provider lost/);
        expect(jobs[7]?.message).toMatch(/^provider lost/);
        expect(jobs[5]?.cost).not.toBe("0.000000"); // cancelled while running: charged its runtime
        expect([...driver.outcomes].sort()).toEqual(
          expect.arrayContaining(["abandoned", "cancelled", "charged", "failed", "pending", "running", "scheduled", "succeeded", "timed_out"]),
        );
        expect((await n.server.admin.ledger()).balances["platform:fees"]).toBeGreaterThan(0);
      },
      { feeBasisPoints: 250 },
    ),
  );

  it("ledger conservation over random lifecycles (fixed seed, a few runs)", { timeout: 30_000 }, async () => {
    const credits = (max: number) => fc.integer({ min: 1, max }).map((m) => (m / 1_000_000).toFixed(6));
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant("submit" as const), who: fc.constantFrom(0 as const, 1 as const), cpu: fc.integer({ min: 1, max: 8 }), maxPrice: credits(3_000_000), timeout: fc.constantFrom("30s", "5m", "1h") }) },
      { weight: 3, arbitrary: fc.constant({ kind: "schedule" as const }) },
      { weight: 6, arbitrary: fc.record({ kind: fc.constantFrom("start" as const, "succeed" as const, "fail" as const, "results" as const, "cancel" as const), job: fc.nat(20) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 1, max: 40 * 60_000 }), heartbeat: fc.tuple(fc.boolean(), fc.boolean()) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("deregister" as const, "reregister" as const), provider: fc.constantFrom(0 as const, 1 as const) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), amount: credits(500_000) }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 25 }), async (ops) => {
        const n = await pgNetwork({ feeBasisPoints: 100 });
        try {
          const driver = new LifecycleDriver(n);
          await driver.registerProviders();
          for (const op of ops) await driver.apply(op);
        } finally {
          await n.close();
        }
      }),
      { numRuns: 4, seed: 7 },
    );
  });

  it("restart persistence: close the server and reopen it on the same database — nothing is lost", async () => {
    const schema = pgt.newSchema();
    const clock = new FakeClock();
    const opts = { now: clock.now, schedulerIntervalMs: 0, scheduleOnEvents: false, logger: pino({ level: "silent" }) };
    let server = await startNetworkServer({ ...opts, database: await pgt.database(schema) });
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
    const snapshot = async () => ({
      job: (await call(server, "GET", `/v1/jobs/${done}`, { token: alice })).body,
      list: (await call(server, "GET", "/v1/jobs", { token: alice })).body,
      provider: (await call(server, "GET", `/v1/providers/${prov}`, { token: alice })).body,
      balance: (await call(server, "GET", "/v1/wallet/balance", { token: alice })).body,
      earnings: (await call(server, "GET", "/v1/wallet/earnings", { token: acme })).body,
      ledger: await server.admin.ledger(),
    });
    const before = await snapshot();
    expect(before.job).toMatchObject({ status: "succeeded", cost: "0.040000" });
    await server.close();

    // tokens are stored only as hashes
    const raw = await pgt.database(schema);
    const tokens = await raw.query<{ token_hash: string }>("SELECT token_hash FROM tokens");
    expect(tokens).toHaveLength(2);
    for (const t of tokens) {
      expect([alice, acme]).not.toContain(t.token_hash);
      expect(t.token_hash).toMatch(/^[0-9a-f]{64}$/);
    }
    await raw.close();

    server = await startNetworkServer({ ...opts, database: await pgt.database(schema) });
    try {
      expect(await snapshot()).toEqual(before);
      expect((await call(server, "GET", `/v1/jobs/${done}/logs`, { token: alice })).text).toBe("hello\n");
      const replay = await call(server, "POST", "/v1/jobs", { token: alice, body: seedJob(), headers });
      expect(replay.status).toBe(200);
      expect(replay.body.id).toBe(done);
      const a = await call(server, "GET", `/v1/providers/${prov}/assignments?wait=0`, { token: acme });
      expect(a.body.assignments.map((x: { jobId: string }) => x.jobId)).toEqual([waiting]);
      const check = await pgt.database(schema);
      expect(await check.query("SELECT version FROM schema_migrations ORDER BY version")).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
      await check.close();
    } finally {
      await server.close();
    }
  });

  it("two servers with their own pools (as two processes would have) share one database and never double-spend", async () => {
    const schema = pgt.newSchema();
    const opts = { schedulerIntervalMs: 0, scheduleOnEvents: false, logger: pino({ level: "silent" }) };
    const s1 = await startNetworkServer({ ...opts, database: await pgt.database(schema) });
    const s2 = await startNetworkServer({ ...opts, database: await pgt.database(schema) });
    try {
      await s1.admin.createAccount("dave", "enterprise", "5", { perMinute: 10_000, perDay: 100_000 });
      const dave = await s2.admin.createToken("dave"); // the account made through s1 is visible to s2
      const res = await Promise.all(
        Array.from({ length: 12 }, (_, i) => call(i % 2 === 0 ? s1 : s2, "POST", "/v1/jobs", { token: dave, body: seedJob() })),
      );
      expect(res.filter((r) => r.status === 201)).toHaveLength(5);
      expect(res.filter((r) => r.status === 402)).toHaveLength(7);
      expect(await s1.admin.balances("dave")).toEqual({ available: 0, escrow: 5_000_000, earnings: 0 });
      const listed = (await call(s2, "GET", "/v1/jobs?limit=100", { token: dave })).body.jobs as { id: string }[];
      expect(listed).toHaveLength(5);
    } finally {
      await s1.close();
      await s2.close();
    }
  });
});
