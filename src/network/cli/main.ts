#!/usr/bin/env node
// neoengine-network: run the reference NeoEngine network server and administer its accounts.
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { pino, destination, type Logger } from "pino";
import { TIERS, type Tier } from "../../neoengine/wire.js";
import { createNetwork } from "../core/network.js";
import { ApiError, invalid } from "../core/errors.js";
import { startNetworkServer } from "../server.js";
import { PostgresDatabase } from "../storage/postgres.js";
import { redactDatabaseUrl } from "../storage/postgres-sql.js";
import type { SqlDatabase } from "../storage/sql.js";

const DEFAULT_DB = "./neoengine.db";

/** JSON logs to stderr; human-readable when stderr is a terminal. Tokens are never logged. */
function makeLogger(): Logger {
  const level = process.env.NEO_LOG_LEVEL ?? "info";
  if (process.stderr.isTTY) {
    return pino({ level, transport: { target: "pino-pretty", options: { destination: 2, colorize: true } } });
  }
  return pino({ level }, destination(2));
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("port must be an integer 0-65535");
  return n;
}
function parseTier(value: string): Tier {
  if (!(TIERS as readonly string[]).includes(value)) throw new InvalidArgumentError(`tier must be one of ${TIERS.join(", ")}`);
  return value as Tier;
}
function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

function parseDatabaseUrl(value: string): string {
  if (!/^postgres(ql)?:\/\//.test(value)) throw new InvalidArgumentError("must be a postgres:// or postgresql:// URL");
  return value;
}

/** Where the data lives: --database-url (PostgreSQL) or --db (SQLite file, the default). */
interface StorageOptions {
  db: string;
  databaseUrl?: string;
}

/** `--database-url` as an alternative to `--db` (also from NEOENGINE_DATABASE_URL, which keeps the password out of `ps`). */
const databaseUrlOption = () =>
  new Option("--database-url <url>", "PostgreSQL instead of SQLite: postgres://user:password@host:5432/database")
    .env("NEOENGINE_DATABASE_URL")
    .argParser(parseDatabaseUrl)
    .conflicts("db");

/** The SqlDatabase to pass as `database`, or undefined to let the network open the SQLite file `db`. */
async function openStorage(opts: StorageOptions): Promise<{ database?: SqlDatabase; where: string }> {
  if (opts.databaseUrl === undefined) return { where: opts.db };
  return { database: await PostgresDatabase.connect(opts.databaseUrl), where: redactDatabaseUrl(opts.databaseUrl) };
}

/** Opens the database, runs one admin action, closes it. */
async function withNetwork<T>(opts: StorageOptions, action: (admin: Awaited<ReturnType<typeof createNetwork>>["admin"]) => Promise<T>): Promise<T> {
  const { database } = await openStorage(opts);
  const network = await createNetwork({
    db: opts.db,
    ...(database ? { database } : {}),
    schedulerIntervalMs: 0,
    scheduleOnEvents: false,
    logger: pino({ level: "silent" }),
  });
  try {
    return await action(network.admin);
  } finally {
    await network.close();
  }
}

const program = new Command()
  .name("neoengine-network")
  .description("Reference NeoEngine network server: serves the NeoEngine API (/v1) from an embedded SQLite database (or PostgreSQL).")
  .showHelpAfterError()
  // usage errors exit 2 (not commander's default 1), so scripts can tell them from failures
  .exitOverride();

program
  .command("serve")
  .description("serve the API until SIGINT/SIGTERM")
  .option("--port <port>", "TCP port (0 = any free port)", parsePort, 8787)
  .option("--host <host>", "interface to bind", "127.0.0.1")
  .option("--db <path>", "SQLite database file, or :memory:", DEFAULT_DB)
  .addOption(databaseUrlOption())
  .option("--fee-bps <n>", "platform fee in basis points taken from each charge", (v) => Number(v), 0)
  .option("--heartbeat-timeout <seconds>", "seconds without heartbeat before a provider goes offline", parsePositiveInt, 30)
  .action(async (opts: StorageOptions & { port: number; host: string; feeBps: number; heartbeatTimeout: number }) => {
    const log = makeLogger();
    const { database, where } = await openStorage(opts);
    const server = await startNetworkServer({
      port: opts.port,
      host: opts.host,
      db: opts.db,
      ...(database ? { database } : {}),
      feeBasisPoints: opts.feeBps,
      heartbeatTimeoutMs: opts.heartbeatTimeout * 1000,
      logger: log,
      logRequests: true,
    });
    log.info({ url: `${server.url}/v1`, db: where }, "NeoEngine network listening");
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "shutting down");
      void server.close().then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });

const account = program.command("account").description("manage accounts");
account
  .command("create <name>")
  .description("create an account")
  .requiredOption("--tier <tier>", "free | pro | enterprise", parseTier)
  .option("--credits <n>", "initial credits (decimal)", "0")
  .option("--per-minute <n>", "enterprise: requests per minute", parsePositiveInt)
  .option("--per-day <n>", "enterprise: requests per day", parsePositiveInt)
  .option("--db <path>", "SQLite database file", DEFAULT_DB)
  .addOption(databaseUrlOption())
  .action(async (name: string, opts: StorageOptions & { tier: Tier; credits: string; perMinute?: number; perDay?: number }) => {
    const limits = opts.perMinute !== undefined && opts.perDay !== undefined ? { perMinute: opts.perMinute, perDay: opts.perDay } : undefined;
    if ((opts.perMinute === undefined) !== (opts.perDay === undefined)) throw invalid("--per-day", null, "give both --per-minute and --per-day");
    const created = await withNetwork(opts, (admin) => admin.createAccount(name, opts.tier, opts.credits, limits));
    console.log(JSON.stringify({ id: created.id, name: created.name, tier: created.tier, credits: opts.credits, limits: created.limits }));
  });
account
  .command("credit <name> <credits>")
  .description("grant credits to an account")
  .option("--db <path>", "SQLite database file", DEFAULT_DB)
  .addOption(databaseUrlOption())
  .action(async (name: string, credits: string, opts: StorageOptions) => {
    const granted = await withNetwork(opts, (admin) => admin.credit(name, credits));
    console.log(JSON.stringify({ name, credited: granted }));
  });

program
  .command("token")
  .description("manage tokens")
  .command("create")
  .description("create a bearer token and print it (only once; it is stored hashed)")
  .requiredOption("--account <name>", "account the token acts for")
  .option("--provider", "a provider token (provider protocol) instead of a consumer token", false)
  .option("--db <path>", "SQLite database file", DEFAULT_DB)
  .addOption(databaseUrlOption())
  .action(async (opts: StorageOptions & { account: string; provider: boolean }) => {
    const token = await withNetwork(opts, (admin) => admin.createToken(opts.account, { provider: opts.provider }));
    console.log(token);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  if (err instanceof ApiError) {
    console.error(`error: ${err.message}`);
    process.exit(err.code === "NOT_FOUND" ? 3 : 2);
  }
  console.error(`error: ${(err as Error).message ?? String(err)}`);
  process.exit(1);
});
