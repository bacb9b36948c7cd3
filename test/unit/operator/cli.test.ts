import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";

// The neoengine-operator command line: help, and clear usage errors (exit 2) before touching
// any cluster.
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "src/cli/operator.ts", ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("neoengine-operator CLI", () => {
  it("--help lists every flag", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    for (const flag of ["--kubeconfig", "--neoengine-url", "--token-secret", "--token-file", "--namespace", "--concurrency", "--leader-elect", "--metrics-addr", "--health-addr"]) {
      expect(r.stdout).toContain(flag);
    }
  });

  it("refuses to start without a network URL (exit 2)", async () => {
    const r = await cli(["--kubeconfig", "/nonexistent"], { NEOENGINE_URL: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--neoengine-url");
  });

  it("rejects a bad --concurrency", async () => {
    const r = await cli(["--concurrency", "zero", "--neoengine-url", "http://127.0.0.1:1"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("positive integer");
  });
});
