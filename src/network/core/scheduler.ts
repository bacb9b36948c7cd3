import type { NetworkContext } from "./context.js";
import { IDEMPOTENCY_TTL_MS } from "./jobs.js";
import type { JobRow } from "./job-row.js";
import { hourlyRate } from "./pricing.js";
import { expireHeartbeats, freeCapacity, isOnline, usageByProvider, type Capacity, type ProviderRow } from "./providers.js";
import { endJob, REPUTATION_DELTA } from "./settlement.js";

/** How many pending jobs one scheduling pass considers. */
const PASS_LIMIT = 2000;

/**
 * Fair order across accounts: round-robin over accounts, each account's jobs oldest first
 * (A's 1st, B's 1st, A's 2nd, B's 2nd, ...), so one account's burst cannot starve another's
 * single job. Among accounts at the same round, the one served least recently goes first
 * (`lastServed`: a counter per account, higher = more recent), so the rotation carries over
 * from one pass to the next; then submission order.
 */
export function fairOrder(jobs: readonly JobRow[], lastServed: ReadonlyMap<string, number> = new Map()): JobRow[] {
  const rank = new Map<string, number>();
  const ranked = jobs.map((j) => {
    const r = rank.get(j.account_id) ?? 0;
    rank.set(j.account_id, r + 1);
    return { j, r, served: lastServed.get(j.account_id) ?? -1 };
  });
  ranked.sort((a, b) => a.r - b.r || a.served - b.served || Number(a.j.seq) - Number(b.j.seq));
  return ranked.map((x) => x.j);
}

/** Per-network memory of when each account was last served (in memory: a restart only resets the rotation). */
const servedState = new WeakMap<NetworkContext, { counter: number; last: Map<string, number> }>();
function served(ctx: NetworkContext): { counter: number; last: Map<string, number> } {
  let s = servedState.get(ctx);
  if (!s) {
    s = { counter: 0, last: new Map() };
    servedState.set(ctx, s);
  }
  return s;
}

interface Placement {
  minReputation?: number;
  providerIds?: string[];
}

/**
 * Picks a provider for each pending job: online, enough free capacity, the right GPU model,
 * a price within maxPrice, reputation ≥ the job's minimum, in the job's provider list if it
 * has one; cheapest first, then highest reputation, then oldest provider id for stability.
 * Returns how many jobs were scheduled.
 */
export async function schedulePending(ctx: NetworkContext): Promise<number> {
  const scheduled = await ctx.db.transaction(async (tx) => {
    // Providers first: with none online there is nothing to match and the queue is not read.
    const now = ctx.now();
    const providers = (await tx.query<ProviderRow>("SELECT * FROM providers WHERE state = 'online'")).filter((p) => isOnline(ctx, p, now));
    if (providers.length === 0) return [];
    const pending = await tx.query<JobRow>("SELECT * FROM jobs WHERE status = 'pending' ORDER BY seq LIMIT ?", [PASS_LIMIT]);
    if (pending.length === 0) return [];
    const usage = await usageByProvider(tx);
    const free = new Map<string, Capacity>(providers.map((p) => [p.id, freeCapacity(p, usage.get(p.id))]));
    const done: { jobId: string; providerId: string }[] = [];
    const rotation = served(ctx);
    for (const job of fairOrder(pending, rotation.last)) {
      const placement = (job.placement ? JSON.parse(job.placement) : {}) as Placement;
      let best: { p: ProviderRow; rate: number } | undefined;
      for (const p of providers) {
        const f = free.get(p.id) as Capacity;
        if (f.cpuMilli < Number(job.cpu_milli) || f.memoryBytes < Number(job.memory_bytes) || f.gpu < Number(job.gpu)) continue;
        if (Number(job.gpu) > 0 && job.gpu_model !== null && p.gpu_model !== job.gpu_model) continue;
        if (placement.minReputation !== undefined && Number(p.reputation) < placement.minReputation) continue;
        if (placement.providerIds && placement.providerIds.length > 0 && !placement.providerIds.includes(p.id)) continue;
        const rate = hourlyRate(p, job);
        if (rate > Number(job.max_price)) continue;
        if (
          !best ||
          rate < best.rate ||
          (rate === best.rate && (Number(p.reputation) > Number(best.p.reputation) || (Number(p.reputation) === Number(best.p.reputation) && p.id < best.p.id)))
        ) {
          best = { p, rate };
        }
      }
      if (!best) continue;
      const f = free.get(best.p.id) as Capacity;
      free.set(best.p.id, { cpuMilli: f.cpuMilli - Number(job.cpu_milli), memoryBytes: f.memoryBytes - Number(job.memory_bytes), gpu: f.gpu - Number(job.gpu) });
      await tx.execute(
        "UPDATE jobs SET status = 'scheduled', provider_id = ?, price = ?, scheduled_at = ?, attempts = attempts + 1, message = NULL WHERE id = ? AND status = 'pending'",
        [best.p.id, best.rate, now, job.id],
      );
      await tx.execute("UPDATE providers SET assignment_version = assignment_version + 1 WHERE id = ?", [best.p.id]);
      rotation.last.set(job.account_id, ++rotation.counter);
      done.push({ jobId: job.id, providerId: best.p.id });
    }
    return done;
  });
  for (const s of scheduled) {
    ctx.bus.jobChanged(s.jobId);
    ctx.bus.providerChanged(s.providerId);
  }
  return scheduled.length;
}

/** Running jobs past their timeout end as timed_out (charged for the full timeout). */
export async function expireTimeouts(ctx: NetworkContext): Promise<number> {
  const now = ctx.now();
  const running = await ctx.db.query<{ id: string }>(
    "SELECT id FROM jobs WHERE status = 'running' AND started_at + timeout_ms <= ?",
    [now],
  );
  let n = 0;
  for (const r of running) {
    const ended = await ctx.db.transaction(async (tx) => {
      const job = await tx.queryOne<JobRow>("SELECT * FROM jobs WHERE id = ?", [r.id]);
      if (!job || job.status !== "running") return false;
      await endJob(tx, ctx, job, { status: "timed_out", message: `timed out after ${job.timeout}` });
      return true;
    });
    if (ended) n++;
  }
  return n;
}

/**
 * Scheduled jobs whose provider (still heartbeating) has not started them within
 * startTimeoutMs go back to pending, so a wedged provider cannot sit on work forever.
 */
export async function requeueUnstarted(ctx: NetworkContext): Promise<number> {
  if (ctx.config.startTimeoutMs <= 0) return 0;
  const cutoff = ctx.now() - ctx.config.startTimeoutMs;
  const stale = await ctx.db.query<{ id: string }>("SELECT id FROM jobs WHERE status = 'scheduled' AND scheduled_at <= ?", [cutoff]);
  let n = 0;
  for (const { id } of stale) {
    const providerId = await ctx.db.transaction(async (tx) => {
      const job = await tx.queryOne<JobRow>("SELECT * FROM jobs WHERE id = ?", [id]);
      if (!job || job.status !== "scheduled" || job.provider_id === null || Number(job.scheduled_at) > cutoff) return undefined;
      await tx.execute(
        "UPDATE jobs SET status = 'pending', provider_id = NULL, price = NULL, scheduled_at = NULL, message = ? WHERE id = ?",
        [`requeued: provider ${job.provider_id} did not start it within ${ctx.config.startTimeoutMs / 1000}s`, id],
      );
      const p = await tx.queryOne<{ reputation: number }>("SELECT reputation FROM providers WHERE id = ?", [job.provider_id]);
      await tx.execute("UPDATE providers SET reputation = ?, assignment_version = assignment_version + 1 WHERE id = ?", [
        Math.max(0, Number(p?.reputation ?? 0) + REPUTATION_DELTA.notStarted),
        job.provider_id,
      ]);
      return job.provider_id;
    });
    if (providerId) {
      n++;
      ctx.bus.providerChanged(providerId);
      ctx.bus.jobChanged(id);
    }
  }
  return n;
}

const lastPurge = new WeakMap<NetworkContext, number>();
/** Drops idempotency keys older than 24 h, at most once an hour (they are also ignored when expired). */
export async function purgeIdempotencyKeys(ctx: NetworkContext): Promise<number> {
  const now = ctx.now();
  if (now - (lastPurge.get(ctx) ?? -Infinity) < 3_600_000) return 0;
  lastPurge.set(ctx, now);
  return (await ctx.db.execute("DELETE FROM idempotency_keys WHERE created_at < ?", [now - IDEMPOTENCY_TTL_MS])).changes;
}

/** One full pass: heartbeats, timeouts, unstarted jobs, then matching. */
export async function schedulerPass(ctx: NetworkContext): Promise<{ offline: number; timedOut: number; requeued: number; scheduled: number }> {
  const offline = (await expireHeartbeats(ctx)).length;
  const timedOut = await expireTimeouts(ctx);
  const requeued = await requeueUnstarted(ctx);
  const scheduled = await schedulePending(ctx);
  await purgeIdempotencyKeys(ctx);
  return { offline, timedOut, requeued, scheduled };
}
