// kubectl neo get [name] [-w]: NeoJobs with phase, progress bar, provider, cost and age.

import type { Command } from "commander";
import type { NeoJob } from "../../../api/index.js";
import type { CommandContext } from "../context.js";
import { EXIT, usageError } from "../errors.js";
import { followNeoJobs } from "../neojob/follow.js";
import { isMachineFormat, parseOutputFormat, renderData } from "../render/format.js";
import { LiveRegion } from "../render/live.js";
import { isTerminal, neoJobHeaders, neoJobMinWidths, neoJobRow, renderNeoJobTable, visibleState } from "../render/neojobs.js";
import { renderTable } from "../render/table.js";
import { action, type CommandDeps } from "./action.js";

interface GetOptions {
  watch?: boolean;
  output?: string;
}

export function registerGet(program: Command, deps: CommandDeps): void {
  program
    .command("get")
    .summary("list NeoJobs with phase, progress, provider and cost")
    .description(
      "List the NeoJobs of the namespace (or of every namespace with -A), or show one by name. " +
        "With -w, keep watching: on a terminal the table redraws in place; in a pipe, a file or " +
        "when CI is set, every change is printed as a new line. `get <name> -w` ends when the job " +
        "finishes, with exit status 0 if it Succeeded and 1 if it Failed or was Cancelled.",
    )
    .argument("[name]", "name of one NeoJob")
    .option("-w, --watch", "keep watching for changes")
    .option("-o, --output <format>", "table, wide, json or yaml", "table")
    .addHelpText(
      "after",
      "\nExamples:\n  kubectl neo get\n  kubectl neo get -A -o wide\n  kubectl neo get train-1 -w\n  kubectl neo get train-1 -o yaml\n",
    )
    .action(
      action<GetOptions>(deps, async (ctx, opts, [name]) => getNeoJobs(ctx, name as string | undefined, opts)),
    );
}

async function getNeoJobs(ctx: CommandContext, name: string | undefined, opts: GetOptions): Promise<number> {
  const format = parseOutputFormat(opts.output);
  if (name && ctx.globals.allNamespaces) throw usageError("a name cannot be combined with -A; use -n <namespace>");
  const neoJobs = ctx.neoJobs();
  const namespace = ctx.listNamespace();
  const tableOpts = { wide: format === "wide", showNamespace: namespace === undefined };

  if (!opts.watch) {
    if (name) {
      const job = await neoJobs.get(name);
      ctx.out(isMachineFormat(format) ? renderData(job, format) : renderNeoJobTable([job], { ...tableOpts, now: ctx.io.now() }));
      return EXIT.OK;
    }
    const { items } = await neoJobs.list(namespace);
    if (isMachineFormat(format)) {
      ctx.out(renderData({ apiVersion: "v1", kind: "List", items }, format));
    } else if (items.length === 0) {
      ctx.err(namespace ? `No NeoJobs found in namespace ${namespace}.\n` : "No NeoJobs found.\n");
    } else {
      ctx.out(renderNeoJobTable(items, { ...tableOpts, now: ctx.io.now() }));
    }
    return EXIT.OK;
  }

  // A named job must exist before we wait for it (a typo should fail, not hang).
  if (name) await neoJobs.get(name);
  const live = ctx.interactive && !isMachineFormat(format) ? new LiveRegion(ctx.io.stdout) : undefined;
  let printedHeader = false;
  const seen = new Map<string, string>();
  let latest = new Map<string, NeoJob>();
  const redraw = () => {
    const jobs = [...latest.values()];
    live?.draw(jobs.length ? renderNeoJobTable(jobs, { ...tableOpts, now: ctx.io.now() }) : "No NeoJobs yet; waiting...");
  };
  // The AGE column moves on even when nothing else does.
  const ticker = live ? setInterval(redraw, 1000) : undefined;
  try {
    const last = await followNeoJobs(
      neoJobs,
      { namespace: name ? ctx.cluster().namespace : namespace, name, signal: ctx.io.signal, untilFinished: name !== undefined },
      (jobs, changed, deleted) => {
        latest = jobs;
        if (live) return redraw();
        // Plain mode: one line (or document) per visible change, like kubectl get -w.
        const candidates = changed ? [changed] : [...jobs.values()];
        for (const job of candidates) {
          const key = `${job.metadata.namespace}/${job.metadata.name}`;
          const state = deleted ? "deleted" : visibleState(job);
          if (seen.get(key) === state) continue;
          seen.set(key, state);
          if (isMachineFormat(format)) {
            ctx.out(format === "json" ? JSON.stringify(job) + "\n" : renderData(job, "yaml") + "---\n");
            continue;
          }
          const row = neoJobRow(job, { ...tableOpts, now: ctx.io.now() });
          if (deleted) row[tableOpts.showNamespace ? 2 : 1] = "Deleted";
          const table = renderTable(neoJobHeaders(tableOpts), [row], neoJobMinWidths(tableOpts)).split("\n");
          if (!printedHeader) ctx.out(table[0] + "\n");
          printedHeader = true;
          ctx.out(table[1] + "\n");
        }
      },
    );
    if (live) {
      redraw();
      live.done();
    }
    if (name && last && isTerminal(last)) return last.status?.phase === "Succeeded" ? EXIT.OK : EXIT.JOB_FAILED;
    return EXIT.OK;
  } finally {
    if (ticker) clearInterval(ticker);
  }
}
