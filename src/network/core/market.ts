import { JOB_STATUSES, MICRO_PER_CREDIT, formatMicroCredits, type MarketPrices, type MarketStats, type PriceRange } from "../../neoengine/wire.js";
import type { NetworkContext } from "./context.js";
import { freeCapacity, isOnline, usageByProvider, type ProviderRow } from "./providers.js";

const DAY_MS = 24 * 3_600_000;

/** min/avg/max in credits (numbers, as the seed shows), rounded to micro-credits. */
function range(micros: number[]): PriceRange | null {
  if (micros.length === 0) return null;
  const round = (m: number) => Math.round(m) / MICRO_PER_CREDIT;
  return {
    min: round(Math.min(...micros)),
    avg: round(micros.reduce((a, b) => a + b, 0) / micros.length),
    max: round(Math.max(...micros)),
  };
}

async function onlineProviders(ctx: NetworkContext): Promise<ProviderRow[]> {
  const now = ctx.now();
  return (await ctx.db.query<ProviderRow>("SELECT * FROM providers WHERE state = 'online'")).filter((p) => isOnline(ctx, p, now));
}

/** Asks of the online providers: cpu per core-hour, memory per GiB-hour, gpu per device-hour by model. */
export async function marketPrices(ctx: NetworkContext): Promise<MarketPrices> {
  const online = await onlineProviders(ctx);
  const byModel = new Map<string, number[]>();
  for (const p of online) {
    if (Number(p.gpu) > 0 && p.gpu_model) byModel.set(p.gpu_model, [...(byModel.get(p.gpu_model) ?? []), Number(p.price_gpu)]);
  }
  const gpu: Record<string, PriceRange> = {};
  for (const model of [...byModel.keys()].sort()) gpu[model] = range(byModel.get(model) as number[]) as PriceRange;
  return {
    cpu: range(online.map((p) => Number(p.price_cpu))),
    memory: range(online.map((p) => Number(p.price_memory))),
    gpu,
  };
}

export async function marketStats(ctx: NetworkContext): Promise<MarketStats> {
  const online = await onlineProviders(ctx);
  const usage = await usageByProvider(ctx.db);
  const total = await ctx.db.queryOne<{ n: number }>("SELECT COUNT(*) AS n FROM providers WHERE state <> 'deregistered'");
  const byStatus = await ctx.db.query<{ status: string; n: number }>("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status");
  const since = ctx.now() - DAY_MS;
  const volume = await ctx.db.queryOne<{ v: number | null; n: number }>(
    "SELECT SUM(cost) AS v, COUNT(*) AS n FROM jobs WHERE finished_at >= ? AND status = 'succeeded'",
    [since],
  );
  const charged = await ctx.db.queryOne<{ v: number | null }>("SELECT SUM(cost) AS v FROM jobs WHERE finished_at >= ?", [since]);
  const jobsByStatus: Record<string, number> = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0]));
  for (const r of byStatus) jobsByStatus[r.status] = Number(r.n);
  let gpusTotal = 0;
  let gpusFree = 0;
  let cpusTotal = 0;
  let cpusFree = 0;
  for (const p of online) {
    const free = freeCapacity(p, usage.get(p.id));
    gpusTotal += Number(p.gpu);
    gpusFree += free.gpu;
    cpusTotal += Number(p.cpu_milli) / 1000;
    cpusFree += free.cpuMilli / 1000;
  }
  return {
    providersOnline: online.length,
    providersTotal: Number(total?.n ?? 0),
    gpusTotal,
    gpusFree,
    cpusTotal,
    cpusFree,
    jobsByStatus,
    volume24h: formatMicroCredits(Number(charged?.v ?? 0)),
    jobsCompleted24h: Number(volume?.n ?? 0),
  };
}
