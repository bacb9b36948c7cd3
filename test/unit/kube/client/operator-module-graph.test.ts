import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// The operator must not load @kubernetes/client-node at runtime: its import alone costs ~74 MiB
// of RSS (every generated API class). This imports what src/cli/operator.ts imports (commander,
// pino and the operator's manager; the CLI itself would start the operator) in a fresh Node
// process whose loader hooks record every resolved module URL, and looks for client-node in
// that list and in the CommonJS cache.

const repo = resolve(fileURLToPath(import.meta.url), "../../../../..");
const fixtures = join(repo, "test/unit/kube/client/fixtures");
const dir = mkdtempSync(join(tmpdir(), "modgraph-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Imports `modules` in a child process; returns every module URL it resolved or required. */
function loadedModules(name: string, modules: string[]): Promise<string[]> {
  const out = join(dir, `${name}.txt`);
  const script = [
    'import { createRequire } from "node:module";',
    'import { appendFileSync } from "node:fs";',
    ...modules.map((m) => `await import(${JSON.stringify(m)});`),
    // CommonJS modules loaded with require() do not pass the ESM resolve hook; their cache lists them.
    `appendFileSync(process.env.RECORD_RESOLVE_OUT, Object.keys(createRequire(import.meta.url).cache).join("\\n") + "\\n");`,
  ].join("\n");
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--import", join(fixtures, "record-resolve.mjs"), "--input-type=module", "-e", script],
      { cwd: repo, env: { ...process.env, RECORD_RESOLVE_OUT: out }, timeout: 60_000 },
      (err, _stdout, stderr) => {
        if (err) return reject(new Error(`${err.message}\n${stderr}`));
        resolvePromise(readFileSync(out, "utf8").split("\n").filter(Boolean));
      },
    );
  });
}

const clientNode = (urls: string[]) => urls.filter((u) => u.includes("@kubernetes/client-node"));

describe("the operator's runtime module graph", () => {
  it("does not contain @kubernetes/client-node", async () => {
    const urls = await loadedModules("operator", ["commander", "pino", join(repo, "src/operator/manager.ts"), join(repo, "src/operator/index.ts")]);
    // The recording works: the transport and its HTTP client are in the graph.
    expect(urls.some((u) => u.endsWith("/src/kube/client/kube-client.ts"))).toBe(true);
    expect(urls.some((u) => u.includes("/node_modules/undici/"))).toBe(true);
    expect(clientNode(urls)).toEqual([]);
  });

  it("(control) the same check sees client-node when something imports it", async () => {
    const urls = await loadedModules("control", [join(repo, "src/kube/index.ts"), "@kubernetes/client-node"]);
    expect(clientNode(urls).length).toBeGreaterThan(0);
  });
});
