// Runs `kubectl neo ...` for real: the pinned kubectl finds the plugin as `kubectl-neo` on PATH
// (a wrapper that runs src/cli/kubectl-neo/main.ts with tsx), exactly as a user's kubectl would.
import { execFile, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { inject } from "vitest";
import { kubeconfigPath } from "../helpers/cluster.js";

const ROOT = resolve(import.meta.dirname, "../..");

let binDir: string | undefined;

/** A directory holding a `kubectl-neo` executable (the plugin) and a `kubectl` link. */
export function pluginBinDir(): string {
  if (binDir) return binDir;
  binDir = mkdtempSync(join(tmpdir(), "kubectl-neo-bin-"));
  const plugin = join(binDir, "kubectl-neo");
  writeFileSync(plugin, `#!/bin/sh\nexec "${join(ROOT, "node_modules/.bin/tsx")}" "${join(ROOT, "src/cli/kubectl-neo/main.ts")}" "$@"\n`);
  chmodSync(plugin, 0o755);
  const kubectl = join(binDir, "kubectl");
  writeFileSync(kubectl, `#!/bin/sh\nexec "${inject("binaries").kubectl}" "$@"\n`);
  chmodSync(kubectl, 0o755);
  return binDir;
}

export interface PluginResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment the plugin runs in: only what a user's shell would have, plus `extra`. */
export function pluginEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${pluginBinDir()}:${process.env.PATH ?? ""}`,
    HOME: process.env.HOME ?? "/tmp",
    KUBECONFIG: kubeconfigPath(),
    ...extra,
  };
}

/** `kubectl neo <args>` through the real kubectl plugin mechanism. */
export function kubectlNeo(args: string[], opts: { env?: Record<string, string>; stdin?: string } = {}): Promise<PluginResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      join(pluginBinDir(), "kubectl"),
      ["neo", ...args],
      { env: pluginEnv(opts.env), maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as NodeJS.ErrnoException).code === "number" ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
    child.stdin?.end(opts.stdin ?? "");
  });
}

/** Starts `kubectl neo <args>` and collects its stdout as it arrives (for -w / -f). */
export function startKubectlNeo(args: string[], opts: { env?: Record<string, string> } = {}) {
  const child = spawn(join(pluginBinDir(), "kubectl"), ["neo", ...args], { env: pluginEnv(opts.env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((r) => child.on("close", (code) => r(code ?? -1)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}
