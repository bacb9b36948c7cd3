import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, closeSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Each control plane lives in a state directory with pids/<component>.pid and
 * logs/<component>.log, plus owner.json naming the process that owns it (none for a
 * detached `cluster:up`). Processes are started in their own process group so they
 * outlive a killed owner; the next start reaps them through the pid files.
 */
export interface Owner {
  ownerPid: number | null;
  startedAt: string;
}

export function writeOwner(dir: string, ownerPid: number | null): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "owner.json"), JSON.stringify({ ownerPid, startedAt: new Date().toISOString() } satisfies Owner));
}

export function readOwner(dir: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "owner.json"), "utf8")) as Owner;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Alive and not a zombie awaiting its parent's wait(). */
export function isRunning(pid: number): boolean {
  return isAlive(pid) && !isZombie(pid);
}

/** True when pid is running and still runs the binary we started (pids get reused). */
function runsBinary(pid: number, binary: string): boolean {
  if (!isRunning(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] === binary;
  } catch {
    return false;
  }
}

export interface Started {
  name: string;
  pid: number;
  logFile: string;
}

export function startProcess(dir: string, name: string, binary: string, args: string[], env?: NodeJS.ProcessEnv): Started {
  mkdirSync(join(dir, "pids"), { recursive: true });
  mkdirSync(join(dir, "logs"), { recursive: true });
  const logFile = join(dir, "logs", `${name}.log`);
  const fd = openSync(logFile, "a");
  const child = spawn(binary, args, { detached: true, stdio: ["ignore", fd, fd], env: env ?? process.env });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${binary})`);
  child.unref();
  writeFileSync(join(dir, "pids", `${name}.pid`), JSON.stringify({ pid: child.pid, binary }));
  return { name, pid: child.pid, logFile };
}

interface PidFile {
  name: string;
  pid: number;
  binary: string;
}

function pidFiles(dir: string): PidFile[] {
  const pidsDir = join(dir, "pids");
  if (!existsSync(pidsDir)) return [];
  return readdirSync(pidsDir)
    .filter((f) => f.endsWith(".pid"))
    .map((f) => {
      const parsed = JSON.parse(readFileSync(join(pidsDir, f), "utf8")) as { pid: number; binary: string };
      return { name: f.slice(0, -4), ...parsed };
    });
}

/** Components of this state directory that are still running. */
export function runningComponents(dir: string): string[] {
  return pidFiles(dir)
    .filter((p) => runsBinary(p.pid, p.binary))
    .map((p) => p.name);
}

/**
 * Stops the components in the given order (the rest afterwards): SIGTERM, then SIGKILL
 * after the grace period. Leaves no process behind.
 */
export async function stopProcesses(dir: string, order: string[] = [], graceMs = 5_000): Promise<void> {
  const files = pidFiles(dir).sort((a, b) => rank(order, a.name) - rank(order, b.name));
  for (const p of files) {
    if (runsBinary(p.pid, p.binary)) {
      signal(p.pid, "SIGTERM");
      const deadline = Date.now() + graceMs;
      while (runsBinary(p.pid, p.binary) && Date.now() < deadline) await sleep(50);
      if (runsBinary(p.pid, p.binary)) signal(p.pid, "SIGKILL");
      while (runsBinary(p.pid, p.binary)) await sleep(20);
    }
    rmSync(join(dir, "pids", `${p.name}.pid`), { force: true });
  }
}

function rank(order: string[], name: string): number {
  const i = order.indexOf(name);
  return i === -1 ? order.length : i;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    // The negative pid reaches the whole process group the component leads.
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/**
 * Stops and removes control planes under `runsDir` whose owner died (a killed test run).
 * Returns the directories reaped.
 */
export async function reapOrphans(runsDir: string): Promise<string[]> {
  if (!existsSync(runsDir)) return [];
  const reaped: string[] = [];
  for (const entry of readdirSync(runsDir)) {
    const dir = join(runsDir, entry);
    const owner = readOwner(dir);
    if (owner?.ownerPid != null && isAlive(owner.ownerPid)) continue;
    await stopProcesses(dir, [], 2_000);
    rmSync(dir, { recursive: true, force: true });
    reaped.push(dir);
  }
  return reaped;
}
