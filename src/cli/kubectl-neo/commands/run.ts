// kubectl neo run <name> --image ... -- <command...>: create a NeoJob and follow it to the end.

import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import type { NeoJob } from "../../../api/index.js";
import type { CommandContext } from "../context.js";
import { EXIT, usageError } from "../errors.js";
import {
  collectEnv,
  neoJobFromFlags,
  neoJobFromManifest,
  parseCreditsFlag,
  parseDurationFlag,
  parseGpuModelFlag,
  parseIntFlag,
  parseQuantityFlag,
  type RunFlags,
} from "../neojob/build.js";
import { followNeoJobs } from "../neojob/follow.js";
import { readAll } from "../io.js";
import { humanDuration } from "../render/age.js";
import { isMachineFormat, parseOutputFormat, renderData } from "../render/format.js";
import { LiveRegion } from "../render/live.js";
import { isTerminal, phaseOf, statusLine, visibleState } from "../render/neojobs.js";
import { action, type CommandDeps } from "./action.js";

interface RunOptions extends RunFlags {
  filename?: string;
  detach?: boolean;
  dryRun?: boolean;
  output?: string;
}

/** Exit status a shell sees after interrupting a follow with Ctrl-C (128 + SIGINT). */
const EXIT_INTERRUPTED = 130;

export function registerRun(program: Command, deps: CommandDeps): void {
  program
    .command("run")
    .summary("create a NeoJob and follow it until it finishes")
    .description(
      "Create a NeoJob from flags (or from a manifest with -f) and follow it until it finishes. " +
        "The command to run goes after `--`. The exit status is 0 when the job Succeeded and 1 " +
        "when it Failed or was Cancelled; with --detach the command returns once the NeoJob exists.",
    )
    .argument("[name]", "name of the NeoJob (optional with -f when the manifest has one)")
    .argument("[command...]", "command and arguments the container runs, after --")
    .option("-f, --filename <file>", "create the NeoJob from this manifest (YAML or JSON; - for stdin)")
    .option("--image <image>", "container image, e.g. python:3.11-slim")
    .option("--cpu <cores>", "CPU cores (whole number, at least 1)", parseIntFlag("--cpu", 1, 1024))
    .option("--memory <quantity>", "memory, e.g. 512Mi or 4Gi (default 1Gi)", parseQuantityFlag("--memory"))
    .option("--gpu <count>", "number of GPUs (default 0)", parseIntFlag("--gpu", 0, 64))
    .option("--gpu-model <slug>", "GPU model as the market names it, e.g. nvidia-a100 (see `kubectl neo prices`)", parseGpuModelFlag)
    .option("--max-price <credits>", "most the job may cost per hour, all resources together (required)", parseCreditsFlag("--max-price"))
    .option("--timeout <duration>", "longest the job may run, e.g. 90s, 30m, 2h (default 1h)", parseDurationFlag("--timeout"))
    .option("-e, --env <NAME=value>", "environment variable for the job (repeatable)", collectEnv)
    .option("--min-reputation <n>", "only providers with at least this reputation (0-1000)", parseIntFlag("--min-reputation", 0, 1000))
    .option("--credentials-secret <secret[:key]>", "Secret in the namespace holding the token this job uses (default: the operator's)")
    .option("-d, --detach", "return once the NeoJob is created instead of following it")
    .option("--dry-run", "print the NeoJob that would be created (YAML, or -o json) and create nothing")
    .addOption(new Option("-o, --output <format>", "print the created NeoJob as json or yaml (implies --detach)").choices(["json", "yaml"]))
    .addHelpText(
      "after",
      `
Examples:
  # Print a greeting on the cheapest CPU provider, paying at most 0.5 credits/hour
  kubectl neo run hello --image python:3.11-slim --max-price 0.5 -- python -c "print('Hello')"

  # One A100 for up to 2 hours
  kubectl neo run train-1 --image pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime \\
    --gpu 1 --gpu-model nvidia-a100 --cpu 8 --memory 32Gi --max-price 3 --timeout 2h -- python train.py

  # From a manifest, without waiting
  kubectl neo run -f examples/hello.yaml --detach
`,
    )
    .action(action<RunOptions>(deps, async (ctx, opts, [name, command]) => run(ctx, name as string | undefined, (command as string[]) ?? [], opts)));
}

function buildNeoJob(ctx: CommandContext, name: string | undefined, command: string[], opts: RunOptions): Record<string, unknown> {
  if (!opts.filename) {
    if (!name) throw usageError("a name is required: kubectl neo run <name> --image <image> --max-price <credits> -- <command...>");
    return neoJobFromFlags(name, opts, command);
  }
  const conflicting = (["image", "cpu", "memory", "gpu", "gpuModel", "maxPrice", "timeout", "env", "minReputation"] as const).filter(
    (k) => opts[k] !== undefined,
  );
  if (conflicting.length > 0 || command.length > 0) {
    throw usageError("-f cannot be combined with job flags or a command; put them in the manifest");
  }
  const source = opts.filename === "-" ? "stdin" : opts.filename;
  let text: string;
  try {
    text = opts.filename === "-" ? readAll(ctx.io) : readFileSync(opts.filename, "utf8");
  } catch (error) {
    throw usageError(`cannot read ${source}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return neoJobFromManifest(text, source, name);
}

async function run(ctx: CommandContext, name: string | undefined, command: string[], opts: RunOptions): Promise<number> {
  if (ctx.globals.allNamespaces) throw usageError("run creates a NeoJob in one namespace; -A does not apply");
  const body = buildNeoJob(ctx, name, command, opts);
  const meta = body.metadata as { name: string; namespace?: string };
  if (meta.namespace && ctx.globals.namespace && meta.namespace !== ctx.globals.namespace) {
    throw usageError(`the manifest's namespace "${meta.namespace}" differs from -n ${ctx.globals.namespace}`);
  }
  if (opts.dryRun) {
    // Reads the kubeconfig for the namespace only when -n is absent; sends nothing.
    const namespace = meta.namespace ?? ctx.globals.namespace ?? ctx.cluster().namespace;
    ctx.out(renderData({ ...body, metadata: { ...meta, namespace } }, opts.output === "json" ? "json" : "yaml"));
    return EXIT.OK;
  }
  const namespace = meta.namespace ?? ctx.cluster().namespace;
  const created = await ctx.neoJobs().create({ ...body, metadata: { ...meta, namespace } }, namespace);

  const format = opts.output ? parseOutputFormat(opts.output) : undefined;
  if (format && isMachineFormat(format)) {
    ctx.out(renderData(created, format));
    return EXIT.OK;
  }
  ctx.out(`neojob.neoengine.dev/${created.metadata.name} created in namespace ${namespace}\n`);
  if (opts.detach) {
    ctx.out(`Follow it with: kubectl neo get ${created.metadata.name} -n ${namespace} -w\n`);
    return EXIT.OK;
  }
  return follow(ctx, created, namespace);
}

async function follow(ctx: CommandContext, created: NeoJob, namespace: string): Promise<number> {
  const name = created.metadata.name;
  const live = ctx.interactive ? new LiveRegion(ctx.io.stdout) : undefined;
  let current = created;
  let lastPhase = "";
  let lastVisible = "";
  const render = (job: NeoJob) => {
    current = job;
    const phase = phaseOf(job);
    const transition = phase !== lastPhase ? describeTransition(job) : undefined;
    lastPhase = phase;
    if (live) {
      if (transition) live.printAbove(transition, statusLine(job, ctx.io.now()));
      else live.draw(statusLine(job, ctx.io.now()));
      return;
    }
    const visible = visibleState(job);
    if (visible === lastVisible) return;
    lastVisible = visible;
    ctx.out(statusLine(job, ctx.io.now()) + "\n");
  };
  const ticker = live ? setInterval(() => live.draw(statusLine(current, ctx.io.now())), 1000) : undefined;
  let final: NeoJob | undefined;
  try {
    final = await followNeoJobs(ctx.neoJobs(), { namespace, name, signal: ctx.io.signal, untilFinished: true }, (_jobs, changed) => {
      if (changed && changed.metadata.name === name) render(changed);
      else if (!changed) {
        const job = _jobs.get(`${namespace}/${name}`);
        if (job) render(job);
      }
    });
  } finally {
    if (ticker) clearInterval(ticker);
    live?.done();
  }
  if (!final) {
    ctx.err(`error: neojob/${name} was deleted while it was followed\n`);
    return EXIT.JOB_FAILED;
  }
  if (!isTerminal(final)) {
    ctx.err(`\nStopped following; the job keeps running. Watch it with: kubectl neo get ${name} -n ${namespace} -w\n`);
    return EXIT_INTERRUPTED;
  }
  ctx.out(summary(final) + "\n");
  if (final.status?.phase === "Succeeded") {
    ctx.out(`Logs: kubectl neo logs ${name} -n ${namespace}    Results: kubectl neo results ${name} -n ${namespace}\n`);
    return EXIT.OK;
  }
  return EXIT.JOB_FAILED;
}

function describeTransition(job: NeoJob): string | undefined {
  const s = job.status ?? {};
  switch (phaseOf(job)) {
    case "Pending":
      return undefined;
    case "Submitted":
      return `Submitted to NeoEngine as ${s.jobId ?? "?"}; waiting for a provider`;
    case "Scheduled":
      return `Scheduled on provider ${s.provider ?? "?"}`;
    case "Running":
      return `Running on provider ${s.provider ?? "?"}`;
    default:
      return undefined;
  }
}

function summary(job: NeoJob): string {
  const s = job.status ?? {};
  const started = s.startedAt ? Date.parse(s.startedAt) : NaN;
  const ended = s.completedAt ? Date.parse(s.completedAt) : NaN;
  const took = Number.isNaN(started) || Number.isNaN(ended) ? "" : ` after ${humanDuration(ended - started)}`;
  const cost = s.cost ? `, cost ${s.cost} credits` : "";
  const failed = job.status?.conditions?.find((c) => c.type === "Failed" && c.status === "True");
  const why = s.phase === "Succeeded" ? "" : `: ${[failed?.reason, s.message ?? failed?.message].filter(Boolean).join(": ") || "no reason given"}`;
  return `neojob/${job.metadata.name} ${s.phase}${took}${cost}${why}`;
}
