// PostgresDatabase against a real PostgreSQL server: the SqlDatabase contract the core relies on.
import { describe, expect, it } from "vitest";
import { PostgresDatabase } from "../../../src/network/storage/postgres.js";
import { MIGRATIONS, migrate } from "../../../src/network/storage/migrations.js";
import { usePostgres } from "./pg-fixture.js";

const pgt = usePostgres();

describe("PostgresDatabase (real PostgreSQL)", () => {
  it("BIGINT, COUNT, SUM and MAX come back as JS numbers, like better-sqlite3's", async () => {
    const db = await pgt.database();
    try {
      await db.executeScript("CREATE TABLE m (id TEXT PRIMARY KEY, amount BIGINT NOT NULL, small INTEGER)");
      const big = 2 ** 53 - 1;
      await db.execute("INSERT INTO m (id, amount, small) VALUES (?, ?, ?)", ["a", big, 7]);
      await db.execute("INSERT INTO m (id, amount, small) VALUES (?, ?, ?)", ["b", -5n, null]);
      expect(await db.query("SELECT id, amount, small FROM m ORDER BY id")).toEqual([
        { id: "a", amount: big, small: 7 },
        { id: "b", amount: -5, small: null },
      ]);
      expect(await db.queryOne("SELECT COUNT(*) AS n, SUM(amount) AS s, MAX(amount) AS mx, SUM(small) AS ss FROM m")).toEqual({
        n: 2,
        s: big - 5,
        mx: big,
        ss: 7,
      });
      // an empty aggregate is NULL, as in SQLite
      expect(await db.queryOne("SELECT SUM(amount) AS s FROM m WHERE id = ?", ["none"])).toEqual({ s: null });
      // beyond 2^53: the same lossy number better-sqlite3 answers for that SQLite integer
      await db.execute("INSERT INTO m (id, amount) VALUES (?, ?)", ["c", 9007199254740993n]);
      expect(await db.queryOne("SELECT amount FROM m WHERE id = ?", ["c"])).toEqual({ amount: 9007199254740992 });
      // a bad value is an error, and the pool stays usable after it
      await expect(db.execute("INSERT INTO m (id, amount) VALUES (?, ?)", ["d", "not a number"])).rejects.toThrow(/invalid input syntax/);
      expect(await db.queryOne("SELECT COUNT(*) AS n FROM m")).toEqual({ n: 3 });
    } finally {
      await db.close();
    }
  });

  it("execute reports changed rows; queryOne answers undefined for no row; ? inside literals stays", async () => {
    const db = await pgt.database();
    try {
      await db.executeScript("CREATE TABLE k (id TEXT PRIMARY KEY, v INTEGER NOT NULL); CREATE INDEX k_v ON k (v)");
      expect(await db.execute("INSERT INTO k (id, v) VALUES (?, ?), (?, ?), (?, ?)", ["a", 1, "b", 2, "c", 3])).toEqual({ changes: 3 });
      expect(await db.execute("UPDATE k SET v = v + 1 WHERE v >= ?", [2])).toEqual({ changes: 2 });
      expect(await db.execute("DELETE FROM k WHERE id = ?", ["zzz"])).toEqual({ changes: 0 });
      expect(await db.queryOne("SELECT * FROM k WHERE id = ?", ["zzz"])).toBeUndefined();
      expect(await db.queryOne("SELECT '?' AS q, ? AS p", ["x"])).toEqual({ q: "?", p: "x" });
      // the core's upsert
      await db.executeScript("CREATE TABLE b (a TEXT PRIMARY KEY, balance BIGINT NOT NULL)");
      const upsert = "INSERT INTO b (a, balance) VALUES (?, ?) ON CONFLICT (a) DO UPDATE SET balance = b.balance + excluded.balance";
      await db.execute(upsert, ["x", 5]);
      await db.execute(upsert, ["x", -2]);
      expect(await db.query("SELECT * FROM b")).toEqual([{ a: "x", balance: 3 }]);
    } finally {
      await db.close();
    }
  });

  it("strings with NUL and U+FFFF round-trip and compare exactly (PostgreSQL TEXT cannot hold NUL)", async () => {
    const db = await pgt.database();
    try {
      await db.executeScript("CREATE TABLE s (id TEXT PRIMARY KEY, data TEXT NOT NULL)");
      const tricky = ["nul\u0000inside", "\uFFFF0", "\u0000", "plain", "ünïcödé ✓ \uFFFF\uFFFF"];
      for (const [i, data] of tricky.entries()) await db.execute("INSERT INTO s (id, data) VALUES (?, ?)", [`k${i}\u0000`, data]);
      const rows = await db.query<{ id: string; data: string }>("SELECT id, data FROM s ORDER BY id");
      expect(rows.map((r) => r.data)).toEqual(tricky);
      expect(rows.map((r) => r.id)).toEqual(tricky.map((_, i) => `k${i}\u0000`));
      expect(await db.queryOne("SELECT id FROM s WHERE data = ?", ["\u0000"])).toEqual({ id: "k2\u0000" });
      expect(await db.queryOne("SELECT id FROM s WHERE data = ?", ["\uFFFF0"])).toEqual({ id: "k1\u0000" });
    } finally {
      await db.close();
    }
  });

  it("transaction: commits when fn resolves, rolls back everything when it throws", async () => {
    const db = await pgt.database();
    try {
      await db.executeScript("CREATE TABLE t (id TEXT PRIMARY KEY)");
      expect(await db.transaction(async (tx) => (await tx.execute("INSERT INTO t (id) VALUES (?)", ["kept"])).changes)).toBe(1);
      await expect(
        db.transaction(async (tx) => {
          await tx.execute("INSERT INTO t (id) VALUES (?)", ["lost"]);
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      // a failing statement aborts the transaction: also rolled back, and the connection is reusable
      await expect(
        db.transaction(async (tx) => {
          await tx.execute("INSERT INTO t (id) VALUES (?)", ["lost2"]);
          await tx.execute("INSERT INTO t (id) VALUES (?)", ["kept"]); // duplicate key
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(await db.query("SELECT id FROM t ORDER BY id")).toEqual([{ id: "kept" }]);
      // the executor of a finished transaction cannot be used by mistake
      let leaked: Parameters<Parameters<typeof db.transaction>[0]>[0] | undefined;
      await db.transaction(async (tx) => {
        leaked = tx;
      });
      await expect(leaked?.query("SELECT 1")).rejects.toThrow(/transaction already finished/);
    } finally {
      await db.close();
    }
  });

  it("transactions are serial, also across two pools (two server processes) on one database: no lost update", async () => {
    const schema = pgt.newSchema();
    const a = await pgt.database(schema);
    const b = await pgt.database(schema);
    try {
      await a.executeScript("CREATE TABLE c (id TEXT PRIMARY KEY, n BIGINT NOT NULL); INSERT INTO c VALUES ('x', 0)");
      // read → compute in JS → write, the pattern of the core (balance checks, MAX(seq) + 1).
      // Without serialisation, concurrent increments would overwrite each other.
      const increment = (db: PostgresDatabase) =>
        db.transaction(async (tx) => {
          const row = await tx.queryOne<{ n: number }>("SELECT n FROM c WHERE id = 'x'");
          await tx.execute("UPDATE c SET n = ? WHERE id = 'x'", [Number(row?.n) + 1]);
        });
      await Promise.all(Array.from({ length: 40 }, (_, i) => increment(i % 2 === 0 ? a : b)));
      expect(await a.queryOne("SELECT n FROM c")).toEqual({ n: 40 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("a plain read issued while a transaction is open sees its commit (notifications re-read after it)", async () => {
    const db = await pgt.database();
    try {
      await db.executeScript("CREATE TABLE v (id TEXT PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO v VALUES ('x', 0)");
      // idle pooled connections ready, so a read that did not wait would answer at once
      await Promise.all([db.query("SELECT 1"), db.query("SELECT 2"), db.query("SELECT 3")]);
      let read: Promise<unknown> | undefined;
      await db.transaction(async (tx) => {
        await tx.execute("UPDATE v SET n = 1 WHERE id = 'x'");
        // what a NetworkBus listener does when notified from inside a transaction
        read = db.queryOne("SELECT n FROM v");
        for (let i = 0; i < 20; i++) await tx.query("SELECT n FROM v");
        await tx.execute("UPDATE v SET n = 2 WHERE id = 'x'");
      });
      expect(await read).toEqual({ n: 2 });
    } finally {
      await db.close();
    }
  });

  it("migrations: applied once, recorded, and two processes migrating one fresh schema at once both succeed", async () => {
    const schema = pgt.newSchema();
    const a = await pgt.database(schema);
    const b = await pgt.database(schema);
    try {
      const [ra, rb] = await Promise.all([migrate(a, 1), migrate(b, 2)]);
      // exactly one of them applied each migration
      expect([...ra, ...rb].sort()).toEqual(MIGRATIONS.map((m) => m.version).sort());
      expect(await migrate(a, 3)).toEqual([]);
      expect(await a.query("SELECT version FROM schema_migrations ORDER BY version")).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
      const tables = await a.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name",
        [schema],
      );
      // SQLite's INTEGER is 64-bit: the same columns are BIGINT here, none is a 32-bit integer
      const types = await a.query<{ data_type: string }>(
        "SELECT DISTINCT data_type FROM information_schema.columns WHERE table_schema = ? ORDER BY data_type",
        [schema],
      );
      expect(types.map((t) => t.data_type)).toEqual(["bigint", "text"]);
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining(["accounts", "idempotency_keys", "job_logs", "jobs", "ledger_balances", "ledger_entries", "providers", "tokens", "withdrawals"]),
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("connect fails with a clear message that never shows the password", async () => {
    const url = new URL(pgt.url());
    url.password = "hunter2-secret";
    url.port = "1"; // nothing listens there
    const err = await PostgresDatabase.connect(url.toString()).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/^cannot use PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/neoengine_test: /);
    expect(err?.message).not.toContain("hunter2");
    expect(() => new PostgresDatabase({ connectionString: pgt.url(), schema: "bad; DROP" })).toThrow(/schema must be a plain lower-case identifier/);
    expect(() => new PostgresDatabase({ connectionString: pgt.url(), schema: "Mixed" })).toThrow(/schema must be a plain lower-case identifier/);
  });
});
