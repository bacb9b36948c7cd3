// Runs the plugin in-process with captured output, a given environment and stdin text.
import { Readable } from "node:stream";
import type { CliIo } from "../../../src/cli/kubectl-neo/io.js";
import { runKubectlNeo } from "../../../src/cli/kubectl-neo/program.js";

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  tty?: boolean;
  now?: number;
  signal?: AbortSignal;
}

export function captureIo(opts: RunOptions = {}): { io: CliIo; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s), isTTY: opts.tty ?? false, columns: 120 },
    stderr: { write: (s: string) => (err += s) },
    stdin: Readable.from(opts.stdin !== undefined ? [opts.stdin] : []),
    // No KUBECONFIG / HOME kubeconfig unless the test gives one: unit tests never find a cluster.
    env: { HOME: "/nonexistent-home", ...(opts.env ?? {}) },
    now: () => opts.now ?? Date.parse("2026-01-15T12:10:00Z"),
    signal: opts.signal ?? new AbortController().signal,
  };
  return { io, out: () => out, err: () => err };
}

export async function neo(args: string[], opts: RunOptions = {}): Promise<Captured> {
  const { io, out, err } = captureIo(opts);
  const code = await runKubectlNeo(args, io);
  return { code, stdout: out(), stderr: err() };
}
