// What a person sees in a terminal: `kubectl neo run` and `kubectl neo get -w` inside a real
// pseudo-terminal (tmux), read back with capture-pane while the job progresses. On a TTY the
// status line and the table are redrawn in place (never appended), the progress bar fills, and
// the run ends with a summary and exit status 0.
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { kubeconfigPath, waitFor } from "../helpers/cluster.js";
import { pluginBinDir } from "./kubectl-neo-helpers.js";
import { neoJobWorld } from "./neojob-harness.js";

const exec = promisify(execFile);

function tmux(socket: string, args: string[]) {
  return exec("tmux", ["-L", socket, ...args]);
}

async function pane(socket: string, target: string): Promise<string[]> {
  const { stdout } = await tmux(socket, ["capture-pane", "-p", "-t", target]);
  return stdout.split("\n").map((l) => l.trimEnd());
}

/** A script tmux runs: the user's shell environment (no CI), the command, then its exit status. */
function script(dir: string, name: string, command: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    [
      "#!/bin/sh",
      "unset CI",
      "export TERM=xterm-256color",
      `export PATH="${pluginBinDir()}:$PATH"`,
      `export KUBECONFIG="${kubeconfigPath()}"`,
      command,
      'echo "EXIT=$?"',
      "sleep 600",
    ].join("\n") + "\n",
  );
  chmodSync(path, 0o755);
  return path;
}

describe("kubectl neo in a terminal (tmux)", () => {
  it("run redraws one status line with a filling progress bar; get -w redraws one table; both end Succeeded", async () => {
    // 4 progress reports over 10 s: a person sees 25%, 50%, 75% go by.
    const world = await neoJobWorld({ jobDurationMs: 10_000 });
    const dir = mkdtempSync(join(tmpdir(), "kubectl-neo-tty-"));
    const socket = `kubectl-neo-e2e-${process.pid}`;
    onTestFinished(async () => {
      await tmux(socket, ["kill-server"]).catch(() => undefined);
    });
    const watchScript = script(dir, "watch.sh", `kubectl neo get -n ${world.ns} -w`);
    const runScript = script(
      dir,
      "run.sh",
      `kubectl neo run tty-job -n ${world.ns} --image python:3.11-slim --max-price 1.0 -- python -c "print('Hello')"`,
    );
    await tmux(socket, ["new-session", "-d", "-s", "watch", "-x", "150", "-y", "30", watchScript]);
    await tmux(socket, ["new-session", "-d", "-s", "run", "-x", "150", "-y", "30", runScript]);

    const runFrames: string[][] = [];
    const watchFrames: string[][] = [];
    const isStatusLine = (l: string) => /^neojob\/tty-job\s{2}(Pending|Submitted|Scheduled|Running|Succeeded)\s/.test(l);
    const done = await waitFor(
      async () => {
        const [run, watch] = await Promise.all([pane(socket, "run"), pane(socket, "watch")]);
        runFrames.push(run);
        watchFrames.push(watch);
        return run.some((l) => l === "EXIT=0") ? run : false;
      },
      { timeoutMs: 90_000, intervalMs: 150, description: "kubectl neo run to finish in tmux" },
    );

    // While it ran, a person saw a partly filled bar on the one live status line...
    expect(
      runFrames.some((f) => f.some((l) => /^neojob\/tty-job\s+Running\s+\[#{2,9}-+\]\s+(25|50|75)%\s+provider prov_\w+/.test(l))),
    ).toBe(true);
    // ...and never two status lines at once: the line is redrawn in place, not appended.
    for (const frame of runFrames) expect(frame.filter(isStatusLine).length).toBeLessThanOrEqual(1);

    // The finished screen: creation, the phase transitions, the final line, the summary, exit 0.
    const text = done.join("\n");
    expect(text).toContain(`neojob.neoengine.dev/tty-job created in namespace ${world.ns}`);
    expect(text).toMatch(/Submitted to NeoEngine as job_\w+; waiting for a provider/);
    expect(text).toMatch(new RegExp(`Running on provider ${world.provider.id}`));
    expect(done.filter(isStatusLine)).toEqual([expect.stringMatching(/^neojob\/tty-job\s+Succeeded\s+\[##########\] 100%/)]);
    expect(text).toMatch(/^neojob\/tty-job Succeeded after \d+s, cost [0-9.]+ credits$/m);
    expect(text).not.toContain("\x1b"); // escape sequences were interpreted by the terminal, not shown

    // get -w: one table, redrawn; it showed the job running and ends showing it Succeeded.
    const finalWatch = await waitFor(
      async () => {
        const frame = await pane(socket, "watch");
        watchFrames.push(frame);
        return frame.some((l) => /^tty-job\s+Succeeded\s+\[##########\] 100%/.test(l)) ? frame : false;
      },
      { timeoutMs: 30_000, description: "get -w to show tty-job Succeeded" },
    );
    for (const frame of watchFrames) expect(frame.filter((l) => /^NAME\s+PHASE\s+PROGRESS/.test(l)).length).toBeLessThanOrEqual(1);
    expect(watchFrames.some((f) => f.some((l) => /^tty-job\s+Running\s+\[#*-+\]\s+\d+%\s+prov_/.test(l)))).toBe(true);
    expect(finalWatch.filter((l) => /^tty-job\s/.test(l))).toHaveLength(1);
  });
});
