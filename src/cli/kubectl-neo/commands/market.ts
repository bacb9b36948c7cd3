// The network's market, with the token from flags/env or the operator's Secret:
// providers, prices and stats.

import type { Command } from "commander";
import type { MarketPrices, MarketStats, PriceRange, Provider } from "../../../neoengine/index.js";
import type { CommandContext } from "../context.js";
import { EXIT } from "../errors.js";
import { parseGpuModelFlag, parseIntFlag } from "../neojob/build.js";
import { age } from "../render/age.js";
import { credits, isMachineFormat, parseOutputFormat, renderData } from "../render/format.js";
import { renderFields, renderTable } from "../render/table.js";
import { action, type CommandDeps } from "./action.js";

interface ProvidersOptions {
  gpu?: boolean;
  minReputation?: number;
  gpuModel?: string;
  output: string;
}

export function registerMarket(program: Command, deps: CommandDeps): void {
  program
    .command("providers")
    .summary("list the network's providers, their GPUs, prices and reputation")
    .description("List the providers of the NeoEngine network with their resources, hourly prices and reputation (0-1000).")
    .option("--gpu", "only providers with GPUs")
    .option("--min-reputation <n>", "only providers with at least this reputation (0-1000)", parseIntFlag("--min-reputation", 0, 1000))
    .option("--gpu-model <slug>", "only providers with this GPU model, e.g. nvidia-a100", parseGpuModelFlag)
    .option("-o, --output <format>", "table, wide, json or yaml", "table")
    .addHelpText("after", "\nExamples:\n  kubectl neo providers --gpu --min-reputation 600\n  kubectl neo providers -o wide\n")
    .action(action<ProvidersOptions>(deps, (ctx, opts) => providers(ctx, opts)));

  program
    .command("prices")
    .summary("show market prices (min/avg/max credits per hour) per resource and GPU model")
    .description(
      "Show what online providers ask, in credits per hour: per CPU core, per GiB of memory, and " +
        "per GPU by model. Use it to choose --max-price for `kubectl neo run`.",
    )
    .option("-o, --output <format>", "table, json or yaml", "table")
    .action(action<{ output: string }>(deps, (ctx, opts) => prices(ctx, opts.output)));

  program
    .command("stats")
    .summary("show network statistics (providers, GPUs, jobs, 24h volume)")
    .option("-o, --output <format>", "table, json or yaml", "table")
    .action(action<{ output: string }>(deps, (ctx, opts) => stats(ctx, opts.output)));
}

function gpus(p: Provider): string {
  if (!p.resources.gpu) return "-";
  return `${p.resources.gpu}x${p.resources.gpuModel ?? "gpu"}`;
}

async function providers(ctx: CommandContext, opts: ProvidersOptions): Promise<number> {
  const format = parseOutputFormat(opts.output);
  const client = await ctx.neoEngine();
  const list: Provider[] = [];
  const query = { gpu: opts.gpu || undefined, minReputation: opts.minReputation, gpuModel: opts.gpuModel, limit: 100 };
  for await (const p of client.iterateProviders(query, { signal: ctx.io.signal })) list.push(p);
  if (isMachineFormat(format)) {
    ctx.out(renderData({ providers: list }, format));
    return EXIT.OK;
  }
  if (list.length === 0) {
    ctx.err("No providers match.\n");
    return EXIT.OK;
  }
  const wide = format === "wide";
  const now = ctx.io.now();
  ctx.out(
    renderTable(
      ["ID", "NAME", "STATE", "GPUS", "GPU/H", "CPU/H", "GIB/H", "REPUTATION", "JOBS", ...(wide ? ["REGION", "CPU", "MEMORY", "FREE-GPUS", "HEARTBEAT"] : [])],
      list.map((p) => [
        p.id,
        p.name,
        p.state,
        gpus(p),
        p.resources.gpu ? credits(p.prices.gpu) : "-",
        credits(p.prices.cpu),
        credits(p.prices.memory),
        String(p.reputation),
        String(p.jobsCompleted),
        ...(wide
          ? [
              p.region ?? "-",
              String(p.resources.cpu),
              p.resources.memory,
              p.free ? String(p.free.gpu) : "-",
              p.lastHeartbeatAt ? `${age(p.lastHeartbeatAt, now)} ago` : "-",
            ]
          : []),
      ]),
    ),
  );
  return EXIT.OK;
}

function range(r: PriceRange): string[] {
  return [fmt(r.min), fmt(r.avg), fmt(r.max)];
}

function fmt(n: number): string {
  // Credits have micro-credit precision; drop trailing zeros.
  return String(Number(n.toFixed(6)));
}

export function renderPrices(p: MarketPrices): string {
  const rows: string[][] = [];
  if (p.cpu) rows.push(["cpu", "core-hour", ...range(p.cpu)]);
  if (p.memory) rows.push(["memory", "GiB-hour", ...range(p.memory)]);
  for (const [model, r] of Object.entries(p.gpu).sort(([a], [b]) => a.localeCompare(b))) rows.push([`gpu/${model}`, "device-hour", ...range(r)]);
  if (rows.length === 0) return "No offers: no provider is online.\n";
  return renderTable(["RESOURCE", "UNIT", "MIN", "AVG", "MAX"], rows);
}

async function prices(ctx: CommandContext, output: string): Promise<number> {
  const format = parseOutputFormat(output, ["table", "json", "yaml"]);
  const client = await ctx.neoEngine();
  const p = await client.getMarketPrices({ signal: ctx.io.signal });
  ctx.out(isMachineFormat(format) ? renderData(p, format) : renderPrices(p));
  return EXIT.OK;
}

export function renderStats(s: MarketStats): string {
  const jobs = Object.entries(s.jobsByStatus)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${status} ${n}`)
    .join(", ");
  const fields: [string, string][] = [
    ["Providers online", `${s.providersOnline} of ${s.providersTotal}`],
    ["GPUs free", `${s.gpusFree} of ${s.gpusTotal}`],
  ];
  if (s.cpusTotal !== undefined) fields.push(["CPUs free", `${s.cpusFree ?? "-"} of ${s.cpusTotal}`]);
  fields.push(["Jobs", jobs || "none"]);
  if (s.jobsCompleted24h !== undefined) fields.push(["Jobs finished (24h)", String(s.jobsCompleted24h)]);
  fields.push(["Volume (24h)", `${credits(s.volume24h)} credits`]);
  return renderFields(fields);
}

async function stats(ctx: CommandContext, output: string): Promise<number> {
  const format = parseOutputFormat(output, ["table", "json", "yaml"]);
  const client = await ctx.neoEngine();
  const s = await client.getMarketStats({ signal: ctx.io.signal });
  ctx.out(isMachineFormat(format) ? renderData(s, format) : renderStats(s));
  return EXIT.OK;
}
