// The README's first command runs the demo; this keeps it working: it must bring up its own
// control plane, network, provider and operator and drive examples/hello.yaml to Succeeded.
import { execFile } from "node:child_process";
import { expect, it } from "vitest";
import { repoRoot } from "../../src/devcluster/versions.js";

it("npm run demo drives the example NeoJob to Succeeded and stops everything it started", async () => {
  const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile("npm", ["run", "--silent", "demo"], { cwd: repoRoot(), timeout: 170_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as NodeJS.ErrnoException).code ?? 1) : 0, stdout, stderr }),
    );
  });
  expect(out.stderr).not.toMatch(/demo failed/);
  expect(out.code).toBe(0);
  expect(out.stdout).toMatch(/phase=Submitted .*jobId=job_/);
  expect(out.stdout).toMatch(/phase=Running progress=\d+% provider=prov_/);
  expect(out.stdout).toMatch(/hello\s+Succeeded\s+100\s+prov_\w+\s+job_\w+\s+0\.\d+/);
  expect(out.stdout).toContain("== stopping everything");
}, 180_000);
