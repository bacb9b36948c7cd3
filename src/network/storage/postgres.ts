import pg from "pg";
import type { SqlDatabase, SqlExecutor, SqlParam } from "./sql.js";
import { escapeText, parseInt8, parseNumeric, redactDatabaseUrl, toPostgresPlaceholders, unescapeText } from "./postgres-sql.js";

const OID_INT8 = 20;
const OID_NUMERIC = 1700;

/** Per-pool type parsers (never pg's process-wide defaults, which other code may rely on). */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (format !== "binary" && oid === OID_INT8) return parseInt8;
    if (format !== "binary" && oid === OID_NUMERIC) return parseNumeric;
    return pg.types.getTypeParser(oid, format as "text");
  }) as pg.CustomTypesConfig["getTypeParser"],
};

export interface PostgresDatabaseOptions {
  /** `postgres://user:password@host:port/database` (libpq style; `?sslmode=...` etc. accepted). */
  connectionString?: string;
  /** Any further node-postgres pool settings (host, port, user, ssl, max, ...). */
  pool?: Omit<pg.PoolConfig, "types" | "connectionString">;
  /**
   * Schema for the network's tables (sets search_path on every connection); created if missing
   * by `PostgresDatabase.connect`. Lets several networks share one database. Default: the
   * server's default search_path (normally `public`).
   */
  schema?: string;
  /** Called when an idle pooled connection fails (e.g. the server restarted); default ignores it — the pool replaces it. */
  onIdleError?: (err: Error) => void;
}

// Lower case only: search_path folds unquoted names to lower case, CREATE SCHEMA "x" does not.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const toParams = (params: readonly SqlParam[]): (string | number | null)[] =>
  params.map((p) => (typeof p === "string" ? escapeText(p) : typeof p === "bigint" ? p.toString() : p));

function unescapeRow<T>(row: Record<string, unknown>): T {
  for (const key of Object.keys(row)) {
    const v = row[key];
    if (typeof v === "string") row[key] = unescapeText(v);
  }
  return row as T;
}

/**
 * SqlDatabase over a node-postgres Pool. The core's SQL is shared with SQLite: `?` placeholders
 * are rewritten to `$n`, BIGINT/COUNT/SUM come back as JS numbers like better-sqlite3's, and
 * NUL characters round-trip (see escapeText).
 *
 * Transactions keep SQLite's semantics: SQLite runs one write transaction at a time
 * (BEGIN IMMEDIATE), and the core relies on it (read balance → check → post; MAX(seq) + 1).
 * Here every transaction runs on one dedicated client and first takes a transaction-scoped
 * advisory lock, so transactions are serial across every process sharing the database, with
 * no serialization-failure retries needed. Within this process they also queue before taking
 * a client, so waiting transactions never exhaust the pool that plain reads use.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = "postgres" as const;
  private readonly pool: pg.Pool;
  private readonly translated = new Map<string, { text: string; name?: string }>();
  private tail: Promise<void> = Promise.resolve();
  /** Settles when the transaction now running in this process has committed or rolled back. */
  private openTx: Promise<void> | undefined;
  private closed = false;
  /** Advisory lock key: one per schema, so networks in different schemas do not wait for each other. */
  private readonly lockSql = "SELECT pg_advisory_xact_lock(hashtext('neoengine-network:' || coalesce(current_schema(), '')))";
  readonly schema: string | undefined;

  constructor(options: PostgresDatabaseOptions | string) {
    const o: PostgresDatabaseOptions = typeof options === "string" ? { connectionString: options } : options;
    if (o.schema !== undefined && !SCHEMA_NAME.test(o.schema)) {
      throw new Error(`schema must be a plain lower-case identifier (a-z, 0-9, _), got ${JSON.stringify(o.schema)}`);
    }
    this.schema = o.schema;
    const config: pg.PoolConfig = { ...o.pool, types: typeParsers };
    if (o.connectionString !== undefined) config.connectionString = o.connectionString;
    if (o.schema !== undefined) {
      // search_path as a startup option: set before any statement, on every pooled connection.
      config.options = `${config.options ?? ""} -c search_path=${o.schema}`.trim();
    }
    this.pool = new pg.Pool(config);
    // Without a listener an idle client's error (server restart, network cut) would crash the process.
    this.pool.on("error", (err) => o.onIdleError?.(err));
  }

  /**
   * Opens a pool and checks the server answers (and creates `schema` if given), so a wrong URL
   * fails here with a clear message rather than at the first request. The message never
   * contains the password.
   */
  static async connect(options: PostgresDatabaseOptions | string): Promise<PostgresDatabase> {
    const o: PostgresDatabaseOptions = typeof options === "string" ? { connectionString: options } : options;
    const db = new PostgresDatabase(o);
    try {
      // Not through search_path: the schema may not exist yet.
      // Under an advisory lock: concurrent CREATE SCHEMA IF NOT EXISTS can still collide.
      if (db.schema !== undefined) {
        await db.pool.query(
          `BEGIN; SELECT pg_advisory_xact_lock(hashtext('neoengine-network:create-schema')); CREATE SCHEMA IF NOT EXISTS "${db.schema}"; COMMIT`,
        );
      } else await db.pool.query("SELECT 1");
    } catch (err) {
      await db.pool.end().catch(() => undefined);
      const where = o.connectionString !== undefined ? redactDatabaseUrl(o.connectionString) : "the configured PostgreSQL server";
      throw new Error(`cannot use PostgreSQL at ${where}: ${(err as Error).message}`, { cause: err });
    }
    return db;
  }

  /**
   * The statement for `text` with `$n` placeholders. Data statements get a name, so each
   * pooled connection parses and plans them once (node-postgres prepares named statements per
   * connection); DDL stays unnamed.
   */
  private statement(text: string, params: readonly SqlParam[]): pg.QueryConfig<(string | number | null)[]> {
    let t = this.translated.get(text);
    if (t === undefined) {
      const translated = toPostgresPlaceholders(text);
      t = /^\s*(SELECT|INSERT|UPDATE|DELETE)\b/i.test(translated)
        ? { text: translated, name: `neo_${this.translated.size + 1}` }
        : { text: translated };
      this.translated.set(text, t);
    }
    return { ...t, values: toParams(params) };
  }

  private executor(run: (statement: pg.QueryConfig<(string | number | null)[]>) => Promise<pg.QueryResult>): SqlExecutor {
    return {
      query: async <T>(text: string, params: readonly SqlParam[] = []) =>
        (await run(this.statement(text, params))).rows.map((r: Record<string, unknown>) => unescapeRow<T>(r)),
      queryOne: async <T>(text: string, params: readonly SqlParam[] = []) => {
        const row = (await run(this.statement(text, params))).rows[0] as Record<string, unknown> | undefined;
        return row === undefined ? undefined : unescapeRow<T>(row);
      },
      execute: async (text: string, params: readonly SqlParam[] = []) => ({
        changes: (await run(this.statement(text, params))).rowCount ?? 0,
      }),
    };
  }

  private readonly direct = this.executor(async (statement) => {
    // Like SQLite, a plain statement issued while this process has a transaction open runs
    // after it ends. The core relies on it: notifications (NetworkBus) are sent from inside
    // transactions and their listeners re-read at once; on another connection they would
    // read the state from before the commit and miss the change for good.
    if (this.openTx) await this.openTx;
    return this.pool.query(statement);
  });

  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    return this.direct.query<T>(sql, params);
  }
  queryOne<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined> {
    return this.direct.queryOne<T>(sql, params);
  }
  execute(sql: string, params?: readonly SqlParam[]): Promise<{ changes: number }> {
    return this.direct.execute(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.serially(async (client) => {
      let finished = false;
      const tx = this.executor((statement) => {
        // A statement after COMMIT/ROLLBACK would run outside the transaction on a client another caller may own.
        if (finished) return Promise.reject(new Error("transaction already finished"));
        return client.query(statement);
      });
      try {
        const result = await fn(tx);
        finished = true;
        await client.query("COMMIT");
        return result;
      } catch (err) {
        finished = true;
        throw err;
      }
    });
  }

  async executeScript(sql: string): Promise<void> {
    // Under the same lock, so two processes creating the same tables at once do not collide.
    await this.serially(async (client) => {
      await client.query(sql);
      await client.query("COMMIT");
    });
  }

  /**
   * Runs `body` on a dedicated client inside BEGIN … (body commits) holding the advisory lock;
   * rolls back when it throws. One at a time per process.
   */
  private serially<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("database is closed"));
    const run = async (): Promise<T> => {
      const client = await this.pool.connect();
      let discard = false;
      let ended!: () => void;
      try {
        // One round trip (simple protocol runs both statements in order).
        await client.query(`BEGIN; ${this.lockSql}`);
        this.openTx = new Promise<void>((resolve) => (ended = resolve));
        return await body(client);
      } catch (err) {
        // After a failed COMMIT the transaction is already over and ROLLBACK only warns; a
        // ROLLBACK that fails means the connection is unusable: drop it from the pool.
        await client.query("ROLLBACK").catch(() => (discard = true));
        throw err;
      } finally {
        client.release(discard);
        if (this.openTx) {
          this.openTx = undefined;
          ended();
        }
      }
    };
    const result = this.tail.then(run);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    await this.pool.end();
  }
}
