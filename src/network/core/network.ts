import { pino, type Logger } from "pino";
import type { JobStatus, Tier } from "../../neoengine/wire.js";
import { SqliteDatabase } from "../storage/sqlite.js";
import { migrate } from "../storage/migrations.js";
import type { SqlDatabase, SqlParam } from "../storage/sql.js";
import { createAccount, creditAccount, createToken, findAccountByName, type Account } from "./accounts.js";
import { NetworkBus } from "./bus.js";
import type { NetworkConfig, NetworkContext, RateLimits } from "./context.js";
import { balanceOf, ledgerAccount } from "./ledger.js";
import { schedulerPass } from "./scheduler.js";

export interface NetworkOptions {
  /** SQLite file path, or ":memory:" (default). */
  db?: string;
  /** A ready database to use instead of opening `db` (e.g. another SqlDatabase implementation). Closed with the network. */
  database?: SqlDatabase;
  /** Injectable clock (epoch ms). Default Date.now. */
  now?: () => number;
  /** Period of the background scheduler pass (heartbeats, timeouts, matching). 0 disables the timer. Default 1000. */
  schedulerIntervalMs?: number;
  /** Run a scheduler pass right after submits, heartbeats and job ends. Default true. */
  scheduleOnEvents?: boolean;
  heartbeatTimeoutMs?: number;
  /** A scheduled job not started within this long returns to pending (0 = never). Default 15 min. */
  startTimeoutMs?: number;
  defaultAssignmentWaitSeconds?: number;
  enterpriseLimits?: RateLimits;
  providerLimits?: RateLimits;
  feeBasisPoints?: number;
  bodyLimitBytes?: number;
  maxLogBytesPerJob?: number;
  /** pino logger; default: JSON to stderr at NEO_LOG_LEVEL or "warn". */
  logger?: Logger;
}

export const DEFAULT_CONFIG: NetworkConfig = {
  feeBasisPoints: 0,
  heartbeatTimeoutMs: 30_000,
  startTimeoutMs: 15 * 60_000,
  defaultAssignmentWaitSeconds: 30,
  enterpriseLimits: { perMinute: 3000, perDay: 1_000_000 },
  providerLimits: { perMinute: 1200, perDay: 500_000 },
  bodyLimitBytes: 1024 * 1024,
  maxLogBytesPerJob: 4 * 1024 * 1024,
};

/** Operator actions that have no HTTP endpoint (the CLI and tests use them). */
export interface NetworkAdmin {
  createAccount(name: string, tier: Tier, credits?: string | number, limits?: RateLimits): Promise<Account>;
  /** Grants credits; answers the amount granted as a credits string. */
  credit(name: string, credits: string | number): Promise<string>;
  /** A new bearer token for the account (consumer unless provider: true). Shown once; stored hashed. */
  createToken(account: string, opts?: { provider?: boolean }): Promise<string>;
  /** One scheduler pass now: expire heartbeats, time out jobs, match pending jobs. */
  runScheduler(): Promise<{ offline: number; timedOut: number; requeued: number; scheduled: number }>;
  countJobs(filter?: { account?: string; status?: JobStatus }): Promise<number>;
  /** Micro-credit balances of an account. */
  balances(account: string): Promise<{ available: number; escrow: number; earnings: number }>;
  /** Every ledger account's balance (micro-credits) and the sum of all entries (always 0). */
  ledger(): Promise<{ balances: Record<string, number>; entriesSum: number }>;
}

export interface Network {
  ctx: NetworkContext;
  admin: NetworkAdmin;
  close(): Promise<void>;
}

export async function createNetwork(options: NetworkOptions = {}): Promise<Network> {
  const now = options.now ?? Date.now;
  const log = options.logger ?? pino({ level: process.env.NEO_LOG_LEVEL ?? "warn" });
  const db: SqlDatabase = options.database ?? new SqliteDatabase(options.db ?? ":memory:");
  await migrate(db, now());
  const config: NetworkConfig = {
    feeBasisPoints: options.feeBasisPoints ?? DEFAULT_CONFIG.feeBasisPoints,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? DEFAULT_CONFIG.heartbeatTimeoutMs,
    startTimeoutMs: options.startTimeoutMs ?? DEFAULT_CONFIG.startTimeoutMs,
    defaultAssignmentWaitSeconds: options.defaultAssignmentWaitSeconds ?? DEFAULT_CONFIG.defaultAssignmentWaitSeconds,
    enterpriseLimits: options.enterpriseLimits ?? DEFAULT_CONFIG.enterpriseLimits,
    providerLimits: options.providerLimits ?? DEFAULT_CONFIG.providerLimits,
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_CONFIG.bodyLimitBytes,
    maxLogBytesPerJob: options.maxLogBytesPerJob ?? DEFAULT_CONFIG.maxLogBytesPerJob,
  };
  if (!(config.feeBasisPoints >= 0 && config.feeBasisPoints <= 10_000)) throw new Error("feeBasisPoints must be 0..10000");

  let closed = false;
  let running: Promise<unknown> | undefined;
  let rerun = false;
  // Passes never overlap; a request during a pass schedules exactly one more.
  const pass = (): Promise<{ offline: number; timedOut: number; requeued: number; scheduled: number }> => {
    if (running) {
      rerun = true;
      return running.then(() => (closed ? { offline: 0, timedOut: 0, requeued: 0, scheduled: 0 } : pass()));
    }
    const p = schedulerPass(ctx).finally(() => {
      running = undefined;
      if (rerun && !closed) {
        rerun = false;
        void pass().catch((err: unknown) => log.error({ err }, "scheduler pass failed"));
      }
    });
    running = p;
    return p;
  };
  let queued = false;
  const requestSchedule = () => {
    if (options.scheduleOnEvents === false || closed || queued) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      if (closed) return;
      // During a pass, one more pass after it covers every request made meanwhile; chaining
      // a pass per request would pile them up under load.
      if (running) rerun = true;
      else void pass().catch((err: unknown) => log.error({ err }, "scheduler pass failed"));
    });
  };
  const ctx: NetworkContext = { db, now, bus: new NetworkBus(), config, log, requestSchedule, startedAt: now() };

  const interval = options.schedulerIntervalMs ?? 1000;
  const timer =
    interval > 0
      ? setInterval(() => {
          if (!running) void pass().catch((err: unknown) => log.error({ err }, "scheduler pass failed"));
        }, interval)
      : undefined;
  timer?.unref();

  const admin: NetworkAdmin = {
    createAccount: (name, tier, credits, limits) => createAccount(ctx, name, tier, credits, limits),
    credit: (name, credits) => creditAccount(ctx, name, credits),
    createToken: (account, opts) => createToken(ctx, account, opts?.provider ? "provider" : "consumer"),
    runScheduler: () => pass(),
    countJobs: async (filter = {}) => {
      const where: string[] = [];
      const params: SqlParam[] = [];
      if (filter.account !== undefined) {
        where.push("account_id = ?");
        params.push((await findAccountByName(ctx, filter.account)).id);
      }
      if (filter.status !== undefined) {
        where.push("status = ?");
        params.push(filter.status);
      }
      const row = await db.queryOne<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`, params);
      return Number(row?.n ?? 0);
    },
    balances: async (name) => {
      const { id } = await findAccountByName(ctx, name);
      return {
        available: await balanceOf(db, ledgerAccount.available(id)),
        escrow: await balanceOf(db, ledgerAccount.escrow(id)),
        earnings: await balanceOf(db, ledgerAccount.earnings(id)),
      };
    },
    ledger: async () => {
      const rows = await db.query<{ ledger_account: string; balance: number }>("SELECT ledger_account, balance FROM ledger_balances");
      const sum = await db.queryOne<{ s: number | null }>("SELECT SUM(amount) AS s FROM ledger_entries");
      return { balances: Object.fromEntries(rows.map((r) => [r.ledger_account, Number(r.balance)])), entriesSum: Number(sum?.s ?? 0) };
    },
  };

  return {
    ctx,
    admin,
    close: async () => {
      closed = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
      await db.close();
    },
  };
}
