import { spawn, execFile } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, "../../../src/network/cli/main.ts");
const cli = (...args: string[]) => run(process.execPath, ["--import", "tsx", MAIN, ...args], { env: { ...process.env, NEO_LOG_LEVEL: "info" } });
const dir = mkdtempSync(join(tmpdir(), "neo-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("neoengine-network CLI", () => {
  it("has a node shebang", () => {
    expect(readFileSync(MAIN, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("account create, account credit, token create (prints only the token), serve", async () => {
    const db = join(dir, "cli.db");
    const created = await cli("account", "create", "alice", "--tier", "free", "--credits", "5", "--db", db);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: "alice", tier: "free" });
    expect(JSON.parse((await cli("account", "credit", "alice", "2.5", "--db", db)).stdout)).toEqual({ name: "alice", credited: "2.500000" });
    const { stdout } = await cli("token", "create", "--account", "alice", "--db", db);
    const token = stdout.trim();
    expect(stdout).toBe(`${token}\n`);
    expect(token).toMatch(/^neo_c_[0-9A-Za-z]{40}$/);
    expect((await cli("token", "create", "--account", "alice", "--provider", "--db", db)).stdout).toMatch(/^neo_p_/);
    await expect(cli("account", "create", "bob", "--tier", "gold", "--db", db)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/tier must be one of free, pro, enterprise/),
    });
    await expect(cli("token", "create", "--account", "nobody", "--db", db)).rejects.toMatchObject({ code: 3 });

    const server = spawn(process.execPath, ["--import", "tsx", MAIN, "serve", "--port", "0", "--db", db], {
      env: { ...process.env, NEO_LOG_LEVEL: "info" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let logs = "";
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`server did not start: ${logs}`)), 20_000);
        server.stderr.on("data", (d: Buffer) => {
          logs += d.toString();
          const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)\/v1"/.exec(logs);
          if (m) {
            clearTimeout(deadline);
            resolve(m[1] as string);
          }
        });
      });
      const res = await fetch(`${url}/v1/wallet/balance`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ available: "7.500000" });
      const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
      server.kill("SIGTERM");
      expect(await exited).toBe(0);
      // JSON logs, one request line, and never the token
      expect(logs).toMatch(/"msg":"request"/);
      expect(logs).not.toContain(token);
    } finally {
      if (server.exitCode === null) server.kill("SIGKILL");
    }
  });
});
