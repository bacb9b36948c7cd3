import Database from "better-sqlite3";
import type { SqlDatabase, SqlExecutor, SqlParam } from "./sql.js";

/**
 * SqlDatabase over better-sqlite3 (WAL). better-sqlite3 is synchronous and has one connection,
 * so a transaction whose body awaits must keep every other statement out until it ends: a
 * promise-chain mutex serialises transactions, and plain statements wait while one is open
 * (otherwise they would run inside it and could be rolled back with it).
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = "sqlite" as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private tail: Promise<void> = Promise.resolve();
  private txOpen = false;

  constructor(path: string) {
    this.db = new Database(path);
    if (path !== ":memory:") this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private readonly direct: SqlExecutor = {
    query: async <T>(sql: string, params: readonly SqlParam[] = []) => this.statement(sql).all(...params) as T[],
    queryOne: async <T>(sql: string, params: readonly SqlParam[] = []) => this.statement(sql).get(...params) as T | undefined,
    execute: async (sql: string, params: readonly SqlParam[] = []) => ({ changes: this.statement(sql).run(...params).changes }),
  };

  private async idle(): Promise<void> {
    while (this.txOpen) await this.tail;
  }

  async query<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    if (this.txOpen) await this.idle();
    return this.direct.query<T>(sql, params);
  }
  async queryOne<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined> {
    if (this.txOpen) await this.idle();
    return this.direct.queryOne<T>(sql, params);
  }
  async execute(sql: string, params?: readonly SqlParam[]): Promise<{ changes: number }> {
    if (this.txOpen) await this.idle();
    return this.direct.execute(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.txOpen = true;
    try {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await fn(this.direct);
        this.db.exec("COMMIT");
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw err;
      }
    } finally {
      this.txOpen = false;
      release();
    }
  }

  async executeScript(sql: string): Promise<void> {
    await this.idle();
    this.db.exec(sql);
  }

  async close(): Promise<void> {
    await this.idle();
    if (this.db.open) this.db.close();
  }
}
