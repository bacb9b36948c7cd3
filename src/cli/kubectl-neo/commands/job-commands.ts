// Commands about one NeoJob's remote job, through the NeoJob's own credentials:
// logs, results and cancel.

import type { Command } from "commander";
import { Option } from "commander";
import type { NeoJob } from "../../../api/index.js";
import { isNeoEngineError } from "../../../neoengine/index.js";
import type { JobResults } from "../../../neoengine/index.js";
import type { CommandContext } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { checkName, parseIntFlag } from "../neojob/build.js";
import { followNeoJobs } from "../neojob/follow.js";
import { humanDuration } from "../render/age.js";
import { isMachineFormat, parseOutputFormat, renderData } from "../render/format.js";
import { isTerminal } from "../render/neojobs.js";
import { renderFields, renderTable } from "../render/table.js";
import { action, type CommandDeps } from "./action.js";

export function registerJobCommands(program: Command, deps: CommandDeps): void {
  program
    .command("logs")
    .summary("print a NeoJob's logs (-f to stream them)")
    .description(
      "Print the logs of the remote job behind a NeoJob, fetched from NeoEngine with the NeoJob's " +
        "credentials. With -f, wait for the job to be submitted if needed and stream new lines " +
        "until the job ends.",
    )
    .argument("<name>", "name of the NeoJob")
    .option("-f, --follow", "stream the logs until the job ends")
    .option("--tail <lines>", "only the last N lines", parseIntFlag("--tail", 0, 100_000))
    .addHelpText("after", "\nExamples:\n  kubectl neo logs hello\n  kubectl neo logs train-1 -f --tail 20\n")
    .action(action<{ follow?: boolean; tail?: number }>(deps, (ctx, opts, [name]) => logs(ctx, name as string, opts)));

  program
    .command("results")
    .summary("show a finished NeoJob's results (exit code, duration, cost, outputs)")
    .description("Show the results of a finished NeoJob: exit code, message, timings, cost and output files.")
    .argument("<name>", "name of the NeoJob")
    .addOption(new Option("-o, --output <format>", "table, json or yaml").default("table"))
    .addHelpText("after", "\nExamples:\n  kubectl neo results hello\n  kubectl neo results hello -o json | jq .exitCode\n")
    .action(action<{ output: string }>(deps, (ctx, opts, [name]) => results(ctx, name as string, opts.output)));

  program
    .command("cancel")
    .summary("cancel the remote job of a NeoJob")
    .description(
      "Cancel the NeoJob's remote job on NeoEngine (escrowed credits are released; time already run " +
        "is charged). The operator then mirrors the phase Cancelled. A NeoJob not submitted yet is " +
        "suspended instead (spec.suspend=true), so the operator never submits it.",
    )
    .argument("<name>", "name of the NeoJob")
    .addHelpText("after", "\nExample:\n  kubectl neo cancel train-1\n")
    .action(action(deps, (ctx, _opts, [name]) => cancel(ctx, name as string)));
}

async function neoJob(ctx: CommandContext, name: string): Promise<NeoJob> {
  checkName(name);
  return ctx.neoJobs().get(name);
}

function notSubmitted(job: NeoJob, hint: string): CliError {
  const phase = job.status?.phase ?? "Pending";
  const why = job.status?.message ? ` (${job.status.message})` : "";
  return new CliError(`neojob/${job.metadata.name} has no remote job yet: phase ${phase}${why}`, EXIT.API, hint);
}

async function logs(ctx: CommandContext, name: string, opts: { follow?: boolean; tail?: number }): Promise<number> {
  let job = await neoJob(ctx, name);
  if (!job.status?.jobId) {
    if (!opts.follow || isTerminal(job)) throw notSubmitted(job, "pass -f to wait until it is submitted");
    // Wait for the operator to submit it (or for it to end without ever being submitted).
    const submitted = new AbortController();
    const onAbort = () => submitted.abort();
    ctx.io.signal.addEventListener("abort", onAbort, { once: true });
    const watched = await followNeoJobs(
      ctx.neoJobs(),
      { namespace: ctx.cluster().namespace, name, signal: submitted.signal, untilFinished: true },
      (jobs) => {
        if ([...jobs.values()][0]?.status?.jobId) submitted.abort();
      },
    ).finally(() => ctx.io.signal.removeEventListener("abort", onAbort));
    job = watched ?? job;
    if (!job.status?.jobId) {
      if (ctx.io.signal.aborted) return 130;
      throw notSubmitted(job, "it ended before it was submitted; see kubectl neo get " + name + " -o yaml");
    }
  }
  const client = await ctx.neoEngine(job);
  const jobId = job.status!.jobId!;
  if (!opts.follow) {
    ctx.out(await client.getJobLogs(jobId, { tail: opts.tail }, { signal: ctx.io.signal }));
    return EXIT.OK;
  }
  try {
    for await (const line of client.followJobLogs(jobId, { tail: opts.tail }, { signal: ctx.io.signal })) ctx.out(line + "\n");
  } catch (error) {
    if (isNeoEngineError(error) && error.code === "ABORTED") return 130;
    throw error;
  }
  return EXIT.OK;
}

async function results(ctx: CommandContext, name: string, output: string): Promise<number> {
  const format = parseOutputFormat(output, ["table", "json", "yaml"]);
  const job = await neoJob(ctx, name);
  if (!job.status?.jobId) throw notSubmitted(job, "results exist once the job has finished");
  const client = await ctx.neoEngine(job);
  let res: JobResults;
  try {
    res = await client.getJobResults(job.status.jobId, { signal: ctx.io.signal });
  } catch (error) {
    if (isNeoEngineError(error) && error.code === "CONFLICT") {
      throw new CliError(
        `neojob/${name} has not finished yet (phase ${job.status.phase ?? "?"}): NeoEngine CONFLICT: ${error.message}`,
        EXIT.API,
        `wait for it: kubectl neo get ${name} -w`,
      );
    }
    throw error;
  }
  if (isMachineFormat(format)) {
    ctx.out(renderData(res, format));
    return EXIT.OK;
  }
  ctx.out(
    renderFields([
      ["NeoJob", `${job.metadata.namespace}/${name}`],
      ["Job", job.status.jobId],
      ["Status", res.status ?? job.status.phase ?? "-"],
      ["Exit code", res.exitCode === null ? "-" : String(res.exitCode)],
      ["Message", res.message ?? "-"],
      ["Started", res.startedAt ?? "-"],
      ["Finished", res.finishedAt ?? "-"],
      ["Duration", res.durationSeconds === null ? "-" : humanDuration(res.durationSeconds * 1000)],
      ["Cost", `${res.cost} credits`],
      ["Outputs", res.outputs.length === 0 ? "none" : String(res.outputs.length)],
    ]),
  );
  if (res.outputs.length > 0) {
    ctx.out(
      "\n" +
        renderTable(
          ["NAME", "SIZE", "SHA256"],
          res.outputs.map((o) => [o.name, `${o.sizeBytes}B`, o.sha256.slice(0, 16)]),
        ),
    );
  }
  return EXIT.OK;
}

async function cancel(ctx: CommandContext, name: string): Promise<number> {
  const job = await neoJob(ctx, name);
  if (isTerminal(job)) {
    ctx.out(`neojob/${name} already ${job.status!.phase}; nothing to cancel\n`);
    return EXIT.OK;
  }
  const jobId = job.status?.jobId;
  if (!jobId) {
    // Not submitted (or a submission in flight): suspend makes the operator cancel whatever it
    // submitted and submit nothing more.
    await ctx.neoJobs().mergePatch(name, { spec: { suspend: true } });
    ctx.out(`neojob/${name} was not submitted yet: suspended it (spec.suspend=true), so it will not run\n`);
    return EXIT.OK;
  }
  const client = await ctx.neoEngine(job);
  try {
    const remote = await client.cancelJob(jobId, { signal: ctx.io.signal });
    ctx.out(`neojob/${name} cancelled: remote job ${jobId} is ${remote.status}\n`);
  } catch (error) {
    if (isNeoEngineError(error) && error.code === "CONFLICT") {
      ctx.out(`neojob/${name}: remote job ${jobId} had already finished (${error.message})\n`);
      return EXIT.OK;
    }
    throw error;
  }
  return EXIT.OK;
}
