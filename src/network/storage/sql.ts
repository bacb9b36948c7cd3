// The query layer: SQL strings with `?` placeholders plus parameters. Everything in
// src/network/core talks to this interface only, so a PostgreSQL driver can implement it
// (translating `?` to `$n`) without touching the domain code. The SQL used in core/ sticks to
// the common subset of SQLite and PostgreSQL: TEXT/BIGINT/INTEGER columns, ON CONFLICT upserts,
// no AUTOINCREMENT, no SQLite-only functions.
export type SqlParam = string | number | bigint | null;

export interface SqlExecutor {
  /** Rows of a SELECT (or a statement with RETURNING). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** The first row, or undefined. */
  queryOne<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
  /** INSERT/UPDATE/DELETE without rows; reports how many rows changed. */
  execute(sql: string, params?: readonly SqlParam[]): Promise<{ changes: number }>;
}

export interface SqlDatabase extends SqlExecutor {
  readonly dialect: "sqlite" | "postgres";
  /**
   * Runs `fn` in one serialisable transaction: committed when it resolves, rolled back when it
   * throws. Use the given executor inside; never call `transaction` again from inside `fn`.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs a multi-statement DDL script (migrations). */
  executeScript(sql: string): Promise<void>;
  close(): Promise<void>;
}
