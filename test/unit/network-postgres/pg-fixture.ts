// One real PostgreSQL server per test file (started in beforeAll, stopped in afterAll) and a
// fresh, empty schema per test, so tests never see each other's rows and need no TRUNCATE.
import { afterAll, beforeAll } from "vitest";
import { PostgresDatabase } from "../../../src/network/storage/postgres.js";
import { startPostgres, type PgServer } from "./pg-server.js";

export interface PgFixture {
  /** URL of the test database (all schemas live in it). */
  url(): string;
  /** A new schema name, unique in this file. */
  newSchema(): string;
  /** A PostgresDatabase on a new empty schema (or on `schema`, e.g. to reopen one). */
  database(schema?: string): Promise<PostgresDatabase>;
  /** A new empty database on the server; answers its URL. */
  createDatabase(name: string): Promise<string>;
}

/** Call at the top level of a test file. The server start gets its own (generous) hook deadline. */
export function usePostgres(): PgFixture {
  let server: PgServer | undefined;
  let url = "";
  let n = 0;
  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase("neoengine_test");
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  }, 30_000);
  const fixture: PgFixture = {
    url: () => {
      if (!url) throw new Error("PostgreSQL test server is not running (see the beforeAll error above)");
      return url;
    },
    newSchema: () => `t${process.pid}_${++n}`,
    database: (schema) => PostgresDatabase.connect({ connectionString: fixture.url(), schema: schema ?? fixture.newSchema() }),
    createDatabase: (name) => {
      if (!server) throw new Error("PostgreSQL test server is not running (see the beforeAll error above)");
      return server.createDatabase(name);
    },
  };
  return fixture;
}
