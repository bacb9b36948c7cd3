import type { SqlDatabase } from "./sql.js";

// Ordered, append-only list of schema migrations. Applied versions are recorded in
// schema_migrations; never edit an applied migration, add a new one.
// Times are epoch milliseconds (BIGINT); money is integer micro-credits (BIGINT).
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  tier TEXT NOT NULL,
  limit_per_minute INTEGER,
  limit_per_day INTEGER,
  created_at BIGINT NOT NULL
);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  token_hash TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE ledger_balances (
  ledger_account TEXT PRIMARY KEY,
  balance BIGINT NOT NULL
);
CREATE TABLE ledger_entries (
  tx_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ledger_account TEXT NOT NULL,
  amount BIGINT NOT NULL,
  kind TEXT NOT NULL,
  job_id TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tx_id, seq)
);
CREATE INDEX ledger_entries_account ON ledger_entries (ledger_account, created_at);
CREATE TABLE providers (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  region TEXT,
  state TEXT NOT NULL,
  cpu_milli BIGINT NOT NULL,
  memory_bytes BIGINT NOT NULL,
  gpu INTEGER NOT NULL,
  gpu_model TEXT,
  gpu_memory_bytes BIGINT,
  price_cpu BIGINT NOT NULL,
  price_memory BIGINT NOT NULL,
  price_gpu BIGINT NOT NULL,
  reported_free_cpu_milli BIGINT,
  reported_free_memory_bytes BIGINT,
  reported_free_gpu INTEGER,
  reputation INTEGER NOT NULL,
  jobs_completed INTEGER NOT NULL,
  jobs_failed INTEGER NOT NULL,
  assignment_version BIGINT NOT NULL,
  last_heartbeat_at BIGINT,
  created_at BIGINT NOT NULL,
  UNIQUE (account_id, name)
);
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  status TEXT NOT NULL,
  image TEXT NOT NULL,
  command TEXT NOT NULL,
  args TEXT NOT NULL,
  env TEXT NOT NULL,
  cpu_milli BIGINT NOT NULL,
  memory_bytes BIGINT NOT NULL,
  memory TEXT NOT NULL,
  gpu INTEGER NOT NULL,
  gpu_model TEXT,
  max_price BIGINT NOT NULL,
  timeout TEXT NOT NULL,
  timeout_ms BIGINT NOT NULL,
  placement TEXT,
  provider_id TEXT,
  price BIGINT,
  escrow BIGINT NOT NULL,
  cost BIGINT,
  progress INTEGER NOT NULL,
  exit_code INTEGER,
  message TEXT,
  attempts INTEGER NOT NULL,
  results TEXT,
  log_bytes BIGINT NOT NULL,
  log_seq INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  scheduled_at BIGINT,
  started_at BIGINT,
  finished_at BIGINT
);
CREATE INDEX jobs_account ON jobs (account_id, seq);
CREATE INDEX jobs_status ON jobs (status, seq);
CREATE INDEX jobs_provider ON jobs (provider_id, status);
CREATE TABLE job_logs (
  job_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (job_id, seq)
);
CREATE TABLE idempotency_keys (
  account_id TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  body_hash TEXT NOT NULL,
  job_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, idem_key)
);
CREATE TABLE withdrawals (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  amount BIGINT NOT NULL,
  destination TEXT,
  created_at BIGINT NOT NULL
);
`,
  },
];

/**
 * The DDL as the dialect needs it. SQLite's INTEGER is a 64-bit integer, PostgreSQL's is 32-bit:
 * there the same columns are BIGINT, so every value SQLite stores in them fits on PostgreSQL too.
 */
export function ddlFor(dialect: SqlDatabase["dialect"], sql: string): string {
  return dialect === "postgres" ? sql.replace(/\bINTEGER\b/g, "BIGINT") : sql;
}

export async function migrate(db: SqlDatabase, now: number): Promise<number[]> {
  await db.executeScript(
    ddlFor(db.dialect, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"),
  );
  const applied = new Set(
    (await db.query<{ version: number }>("SELECT version FROM schema_migrations")).map((r) => Number(r.version)),
  );
  const done: number[] = [];
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    // One migration at a time inside a transaction, so a crash never leaves half a schema.
    const applies = await db.transaction(async (tx) => {
      // Checked again inside: another process sharing the database (PostgreSQL) may have applied it meanwhile.
      if (await tx.queryOne("SELECT version FROM schema_migrations WHERE version = ?", [m.version])) return false;
      for (const statement of ddlFor(db.dialect, m.sql).split(";").map((s) => s.trim()).filter((s) => s !== "")) {
        await tx.execute(statement);
      }
      await tx.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", [m.version, m.name, now]);
      return true;
    });
    if (applies) done.push(m.version);
  }
  return done;
}
