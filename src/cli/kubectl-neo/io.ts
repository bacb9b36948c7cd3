// The plugin's view of its process: streams, environment and clock, injected so that unit tests
// can run commands without touching the real terminal.

import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  now(): number;
  /** Cancelled on SIGINT/SIGTERM: long-running commands (watch, follow) stop cleanly. */
  signal: AbortSignal;
}

export function processIo(signal: AbortSignal): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    now: () => Date.now(),
    signal,
  };
}

/** Live redrawing only for a person at a terminal: never in pipes, files or CI logs. */
export function isInteractive(io: CliIo): boolean {
  return io.stdout.isTTY === true && !io.env.CI && io.env.TERM !== "dumb";
}

/** Reads one line from stdin (for the withdraw confirmation); undefined at end of input. */
export async function readLine(io: CliIo): Promise<string | undefined> {
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    for await (const line of rl) return line;
    return undefined;
  } finally {
    rl.close();
  }
}

/** All of stdin as text (run -f -). Only used when stdin is a pipe or a file. */
export function readAll(io: CliIo): string {
  if (io.stdin !== process.stdin) throw new Error("reading a manifest from stdin needs the process's stdin");
  return readFileSync(0, "utf8");
}
