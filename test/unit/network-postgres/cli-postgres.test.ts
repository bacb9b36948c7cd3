// neoengine-network with --database-url: the same subcommands on PostgreSQL instead of SQLite.
import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PostgresDatabase } from "../../../src/network/storage/postgres.js";
import { usePostgres } from "./pg-fixture.js";

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, "../../../src/network/cli/main.ts");
const cli = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ["--import", "tsx", MAIN, ...args], { env: { ...process.env, NEO_LOG_LEVEL: "info", ...env } });

const pgt = usePostgres();

describe("neoengine-network --database-url", () => {
  it("account create and token create write to PostgreSQL; serve answers from it; usage errors; the password never shows", { timeout: 60_000 }, async () => {
    // trust authentication ignores the password, so a secret-looking one can be checked for in the output
    const url = new URL(await pgt.createDatabase("cli"));
    url.password = "pw-s3cret";
    const databaseUrl = url.toString();

    // usage errors (exit 2), checked alongside: --db together with --database-url, and a URL that is not PostgreSQL
    const usageErrors = Promise.all([
      expect(cli(["token", "create", "--account", "alice", "--db", "x.db", "--database-url", databaseUrl])).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/cannot be used with/),
      }),
      expect(cli(["account", "create", "bob", "--tier", "free", "--database-url", "mysql://db/x"])).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/must be a postgres:\/\/ or postgresql:\/\/ URL/),
      }),
    ]);
    const created = await cli(["account", "create", "alice", "--tier", "pro", "--credits", "7.5", "--database-url", databaseUrl]);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: "alice", tier: "pro" });
    await usageErrors;
    // the URL may come from the environment instead (keeps the password out of `ps`)
    const { stdout } = await cli(["token", "create", "--account", "alice"], { NEOENGINE_DATABASE_URL: databaseUrl });
    const token = stdout.trim();
    expect(token).toMatch(/^neo_c_[0-9A-Za-z]{40}$/);
    // the rows are in that PostgreSQL database (no SQLite file involved)
    const db = await PostgresDatabase.connect(databaseUrl);
    try {
      expect(await db.query("SELECT name, tier FROM accounts")).toEqual([{ name: "alice", tier: "pro" }]);
      expect(await db.query("SELECT kind FROM tokens")).toEqual([{ kind: "consumer" }]);
    } finally {
      await db.close();
    }

    const server = spawn(process.execPath, ["--import", "tsx", MAIN, "serve", "--port", "0"], {
      env: { ...process.env, NEO_LOG_LEVEL: "info", NEOENGINE_DATABASE_URL: databaseUrl },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let logs = "";
    try {
      const base = await new Promise<string>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`server did not start: ${logs}`)), 30_000);
        server.stderr.on("data", (d: Buffer) => {
          logs += d.toString();
          const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)\/v1"/.exec(logs);
          if (m) {
            clearTimeout(deadline);
            resolve(m[1] as string);
          }
        });
        server.once("exit", (code) => reject(new Error(`server exited with ${code}: ${logs}`)));
      });
      const res = await fetch(`${base}/v1/wallet/balance`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ available: "7.500000" });
      const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
      server.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(logs).toContain(`"db":"postgres://postgres:***@127.0.0.1:`);
      expect(logs).not.toContain("pw-s3cret");
      expect(logs).not.toContain(token);
    } finally {
      if (server.exitCode === null) server.kill("SIGKILL");
    }
  });
});
