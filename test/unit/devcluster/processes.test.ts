import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isRunning, reapOrphans, runningComponents, startProcess, stopProcesses, writeOwner } from "../../../src/devcluster/processes.js";

const dirs: string[] = [];
function tempRuns(): string {
  const d = mkdtempSync(join(tmpdir(), "neo-runs-"));
  dirs.push(d);
  return d;
}

/** A pid that certainly belongs to no process any more. */
function deadPid(): number {
  const r = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
  return Number(r.stdout.trim());
}

afterEach(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("control-plane process bookkeeping", () => {
  it("reaps the processes of a run whose owner was killed, and removes its directory", async () => {
    const runs = tempRuns();
    const dir = join(runs, "killed-run");
    writeOwner(dir, deadPid());
    const sleeper = startProcess(dir, "sleeper", "/bin/sleep", ["300"]);
    expect(isRunning(sleeper.pid)).toBe(true);
    expect(runningComponents(dir)).toEqual(["sleeper"]);

    const reaped = await reapOrphans(runs);

    expect(reaped).toEqual([dir]);
    expect(isRunning(sleeper.pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it("leaves alone a run whose owner is alive", async () => {
    const runs = tempRuns();
    const dir = join(runs, "live-run");
    writeOwner(dir, process.pid);
    const sleeper = startProcess(dir, "sleeper", "/bin/sleep", ["300"]);
    try {
      expect(await reapOrphans(runs)).toEqual([]);
      expect(isRunning(sleeper.pid)).toBe(true);
    } finally {
      await stopProcesses(dir);
    }
    expect(isRunning(sleeper.pid)).toBe(false);
    expect(runningComponents(dir)).toEqual([]);
  });

  it("kills a process that ignores SIGTERM after the grace period", async () => {
    const dir = join(tempRuns(), "stubborn");
    writeOwner(dir, process.pid);
    const stubborn = startProcess(dir, "stubborn", "/bin/sh", ["-c", "trap '' TERM; while :; do sleep 1; done"]);
    await stopProcesses(dir, [], 200);
    expect(isRunning(stubborn.pid)).toBe(false);
  });

  it("does not signal a recycled pid that now runs another program", async () => {
    const dir = join(tempRuns(), "recycled");
    writeOwner(dir, process.pid);
    const sleeper = startProcess(dir, "sleeper", "/bin/sleep", ["300"]);
    // Pretend the pid file names another binary: the process must be left running.
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, "pids", "sleeper.pid"), JSON.stringify({ pid: sleeper.pid, binary: "/usr/bin/something-else" }));
    await stopProcesses(dir, [], 200);
    expect(isRunning(sleeper.pid)).toBe(true);
    process.kill(-sleeper.pid, "SIGKILL");
  });
});
