import type { z } from "zod";
import {
  formatMicroCredits,
  formatQuantityBytes,
  parseCreditsToMicro,
  parseDurationMs,
  parseQuantityBytes,
  type Assignment,
  type AssignmentsResponse,
  type HeartbeatRequestSchema,
  type HeartbeatResponse,
  type Provider,
  type ProviderState,
  type RegisterProviderRequestSchema,
} from "../../neoengine/wire.js";
import type { SqlExecutor, SqlParam } from "../storage/sql.js";
import type { Principal } from "./accounts.js";
import { iso, type NetworkContext } from "./context.js";
import { ApiError, invalid, notFound } from "./errors.js";
import { newId } from "./ids.js";
import type { JobRow } from "./job-row.js";
import { endJob } from "./settlement.js";

export type RegisterProviderBody = z.output<typeof RegisterProviderRequestSchema>;
export type HeartbeatBody = z.output<typeof HeartbeatRequestSchema>;

export const INITIAL_REPUTATION = 500;

export interface ProviderRow {
  id: string;
  account_id: string;
  name: string;
  region: string | null;
  state: ProviderState;
  cpu_milli: number;
  memory_bytes: number;
  gpu: number;
  gpu_model: string | null;
  gpu_memory_bytes: number | null;
  price_cpu: number;
  price_memory: number;
  price_gpu: number;
  reported_free_cpu_milli: number | null;
  reported_free_memory_bytes: number | null;
  reported_free_gpu: number | null;
  reputation: number;
  jobs_completed: number;
  jobs_failed: number;
  assignment_version: number;
  last_heartbeat_at: number | null;
  created_at: number;
}

export interface Capacity {
  cpuMilli: number;
  memoryBytes: number;
  gpu: number;
}

interface UsageRow {
  provider_id: string;
  cpu: number;
  mem: number;
  gpu: number;
  n: number;
}

/** Resources of the scheduled and running jobs of each provider. */
export async function usageByProvider(sql: SqlExecutor): Promise<Map<string, Capacity & { jobs: number }>> {
  const rows = await sql.query<UsageRow>(
    `SELECT provider_id, SUM(cpu_milli) AS cpu, SUM(memory_bytes) AS mem, SUM(gpu) AS gpu, COUNT(*) AS n
     FROM jobs WHERE status IN ('scheduled', 'running') AND provider_id IS NOT NULL GROUP BY provider_id`,
  );
  return new Map(rows.map((r) => [r.provider_id, { cpuMilli: Number(r.cpu), memoryBytes: Number(r.mem), gpu: Number(r.gpu), jobs: Number(r.n) }]));
}

/** Online = registered, not deregistered, and heard from within the heartbeat timeout. */
export function isOnline(ctx: NetworkContext, p: ProviderRow, now = ctx.now()): boolean {
  return p.state === "online" && p.last_heartbeat_at !== null && now - Number(p.last_heartbeat_at) <= ctx.config.heartbeatTimeoutMs;
}

/** Free capacity: what the network has not assigned, further limited by what the provider last reported. */
export function freeCapacity(p: ProviderRow, used: Capacity | undefined): Capacity {
  const u = used ?? { cpuMilli: 0, memoryBytes: 0, gpu: 0 };
  const min = (a: number, b: number | null) => Math.max(0, b === null ? a : Math.min(a, Number(b)));
  return {
    cpuMilli: min(Number(p.cpu_milli) - u.cpuMilli, p.reported_free_cpu_milli),
    memoryBytes: min(Number(p.memory_bytes) - u.memoryBytes, p.reported_free_memory_bytes),
    gpu: min(Number(p.gpu) - u.gpu, p.reported_free_gpu),
  };
}

export function providerToWire(ctx: NetworkContext, p: ProviderRow, used: (Capacity & { jobs: number }) | undefined): Provider {
  const online = isOnline(ctx, p);
  const free = freeCapacity(p, used);
  return {
    id: p.id,
    name: p.name,
    region: p.region,
    state: p.state === "online" && !online ? "offline" : p.state,
    online,
    resources: {
      cpu: Number(p.cpu_milli) / 1000,
      memory: formatQuantityBytes(Number(p.memory_bytes)),
      gpu: Number(p.gpu),
      gpuModel: p.gpu_model,
      gpuMemory: p.gpu_memory_bytes === null ? null : formatQuantityBytes(Number(p.gpu_memory_bytes)),
    },
    free: { cpu: free.cpuMilli / 1000, memory: formatQuantityBytes(free.memoryBytes), gpu: free.gpu },
    prices: {
      cpu: formatMicroCredits(Number(p.price_cpu)),
      memory: formatMicroCredits(Number(p.price_memory)),
      gpu: formatMicroCredits(Number(p.price_gpu)),
    },
    reputation: Number(p.reputation),
    jobsCompleted: Number(p.jobs_completed),
    jobsFailed: Number(p.jobs_failed),
    runningJobs: used?.jobs ?? 0,
    lastHeartbeatAt: iso(p.last_heartbeat_at),
    createdAt: iso(p.created_at) as string,
  };
}

async function loadProvider(sql: SqlExecutor, id: string): Promise<ProviderRow | undefined> {
  return sql.queryOne<ProviderRow>("SELECT * FROM providers WHERE id = ?", [id]);
}

/** One of the calling account's providers (another account's provider is 404). */
async function ownProvider(sql: SqlExecutor, principal: Principal, id: string): Promise<ProviderRow> {
  const p = await loadProvider(sql, id);
  if (!p || p.account_id !== principal.account.id) throw notFound("provider", id);
  return p;
}

async function providerView(ctx: NetworkContext, id: string): Promise<Provider> {
  const p = (await loadProvider(ctx.db, id)) as ProviderRow;
  return providerToWire(ctx, p, (await usageByProvider(ctx.db)).get(id));
}

/**
 * Registers a provider, or — when the account already has one with this name — updates its
 * resources and prices and brings it back online (so a restarted provider agent never makes a
 * duplicate, and deregistering cannot wash away a bad reputation).
 */
export async function registerProvider(
  ctx: NetworkContext,
  principal: Principal,
  body: RegisterProviderBody,
): Promise<{ provider: Provider; created: boolean }> {
  const r = body.resources;
  const memory = parseQuantityBytes(r.memory) as number;
  const gpuMemory = r.gpuMemory === undefined ? null : (parseQuantityBytes(r.gpuMemory) as number);
  if (r.gpu > 0 && r.gpuModel === undefined) throw invalid("resources.gpuModel", null, "gpuModel is required when gpu > 0");
  const prices = {
    cpu: parseCreditsToMicro(body.prices.cpu) as number,
    memory: parseCreditsToMicro(body.prices.memory) as number,
    gpu: parseCreditsToMicro(body.prices.gpu) as number,
  };
  for (const [k, v] of Object.entries(prices)) {
    if (v > 1_000_000 * 1_000_000) throw invalid(`prices.${k}`, body.prices[k as keyof typeof prices], `${k} must be at most 1000000`);
  }
  const now = ctx.now();
  const { id, created } = await ctx.db.transaction(async (tx) => {
    const existing = await tx.queryOne<{ id: string }>("SELECT id FROM providers WHERE account_id = ? AND name = ?", [
      principal.account.id,
      body.name,
    ]);
    const values: SqlParam[] = [
      body.region ?? null,
      Math.round(r.cpu * 1000),
      memory,
      r.gpu,
      r.gpuModel ?? null,
      gpuMemory,
      prices.cpu,
      prices.memory,
      prices.gpu,
    ];
    if (existing) {
      await tx.execute(
        `UPDATE providers SET region = ?, cpu_milli = ?, memory_bytes = ?, gpu = ?, gpu_model = ?, gpu_memory_bytes = ?,
           price_cpu = ?, price_memory = ?, price_gpu = ?, state = 'online', last_heartbeat_at = ?,
           reported_free_cpu_milli = NULL, reported_free_memory_bytes = NULL, reported_free_gpu = NULL,
           assignment_version = assignment_version + 1 WHERE id = ?`,
        [...values, now, existing.id],
      );
      return { id: existing.id, created: false };
    }
    const id = newId("prov");
    await tx.execute(
      `INSERT INTO providers (id, account_id, name, region, state, cpu_milli, memory_bytes, gpu, gpu_model, gpu_memory_bytes,
         price_cpu, price_memory, price_gpu, reputation, jobs_completed, jobs_failed, assignment_version, last_heartbeat_at, created_at)
       VALUES (?, ?, ?, ?, 'online', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 1, ?, ?)`,
      [id, principal.account.id, body.name, ...values, INITIAL_REPUTATION, now, now],
    );
    return { id, created: true };
  });
  ctx.bus.providerChanged(id);
  ctx.requestSchedule();
  return { provider: await providerView(ctx, id), created };
}

export async function heartbeat(ctx: NetworkContext, principal: Principal, id: string, body: HeartbeatBody): Promise<HeartbeatResponse> {
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const p = await ownProvider(tx, principal, id);
    if (p.state === "deregistered") {
      throw new ApiError("CONFLICT", `provider ${id} is deregistered; register it again`, { field: "state", value: p.state });
    }
    const free = body.free;
    await tx.execute(
      `UPDATE providers SET state = 'online', last_heartbeat_at = ?, reported_free_cpu_milli = ?, reported_free_memory_bytes = ?,
         reported_free_gpu = ? WHERE id = ?`,
      [
        now,
        free ? Math.round(free.cpu * 1000) : null,
        free ? (parseQuantityBytes(free.memory) as number) : null,
        free ? free.gpu : null,
        id,
      ],
    );
  });
  ctx.requestSchedule();
  return { id, state: "online", heartbeatTimeoutSeconds: ctx.config.heartbeatTimeoutMs / 1000, serverTime: iso(now) as string };
}

/**
 * The provider lost its jobs (offline or deregistered): jobs not yet running go back to
 * pending for another provider; running jobs fail as abandoned (nothing charged). Runs inside
 * the caller's transaction.
 */
export async function releaseProviderJobs(tx: SqlExecutor, ctx: NetworkContext, providerId: string, reason: string): Promise<number> {
  const jobs = await tx.query<JobRow>("SELECT * FROM jobs WHERE provider_id = ? AND status IN ('scheduled', 'running')", [providerId]);
  for (const job of jobs) {
    if (job.status === "scheduled") {
      await tx.execute(
        "UPDATE jobs SET status = 'pending', provider_id = NULL, price = NULL, scheduled_at = NULL, message = ? WHERE id = ?",
        [`requeued: ${reason}`, job.id],
      );
      ctx.bus.jobChanged(job.id);
    } else {
      await endJob(tx, ctx, job, { status: "failed", abandoned: true, message: `provider lost: ${reason}` });
    }
  }
  await tx.execute("UPDATE providers SET assignment_version = assignment_version + 1 WHERE id = ?", [providerId]);
  ctx.bus.providerChanged(providerId);
  return jobs.length;
}

export async function deregisterProvider(ctx: NetworkContext, principal: Principal, id: string): Promise<Provider> {
  await ctx.db.transaction(async (tx) => {
    const p = await ownProvider(tx, principal, id);
    if (p.state === "deregistered") return;
    await tx.execute("UPDATE providers SET state = 'deregistered' WHERE id = ?", [id]);
    await releaseProviderJobs(tx, ctx, id, "provider deregistered");
  });
  ctx.requestSchedule();
  return providerView(ctx, id);
}

/** Marks providers whose heartbeat expired offline and releases their jobs. */
export async function expireHeartbeats(ctx: NetworkContext): Promise<string[]> {
  // After a restart every provider gets one full heartbeat timeout to reach us again; otherwise
  // the server's own downtime would fail their running jobs as "missed heartbeats".
  if (ctx.now() - ctx.startedAt < ctx.config.heartbeatTimeoutMs) return [];
  const cutoff = ctx.now() - ctx.config.heartbeatTimeoutMs;
  const expired = await ctx.db.query<{ id: string }>(
    "SELECT id FROM providers WHERE state = 'online' AND (last_heartbeat_at IS NULL OR last_heartbeat_at < ?)",
    [cutoff],
  );
  for (const { id } of expired) {
    await ctx.db.transaction(async (tx) => {
      const p = await loadProvider(tx, id);
      if (!p || p.state !== "online" || (p.last_heartbeat_at !== null && Number(p.last_heartbeat_at) >= cutoff)) return;
      await tx.execute("UPDATE providers SET state = 'offline' WHERE id = ?", [id]);
      await releaseProviderJobs(tx, ctx, id, "missed heartbeats");
    });
    ctx.log.info({ provider: id }, "provider offline: missed heartbeats");
  }
  return expired.map((e) => e.id);
}

export async function getProvider(ctx: NetworkContext, id: string): Promise<Provider> {
  const p = await loadProvider(ctx.db, id);
  if (!p) throw notFound("provider", id);
  return providerToWire(ctx, p, (await usageByProvider(ctx.db)).get(id));
}

export async function listProviders(
  ctx: NetworkContext,
  query: { gpu?: boolean | undefined; minReputation?: number | undefined; gpuModel?: string | undefined; online?: boolean | undefined; limit: number; cursor?: string | undefined },
): Promise<{ providers: Provider[]; nextCursor: string | null }> {
  const where = ["state <> 'deregistered'"];
  const params: SqlParam[] = [];
  if (query.gpu === true) where.push("gpu > 0");
  if (query.gpu === false) where.push("gpu = 0");
  if (query.minReputation !== undefined) {
    where.push("reputation >= ?");
    params.push(query.minReputation);
  }
  if (query.gpuModel !== undefined) {
    where.push("gpu_model = ?");
    params.push(query.gpuModel);
  }
  if (query.online !== undefined) {
    const cutoff = ctx.now() - ctx.config.heartbeatTimeoutMs;
    where.push(query.online ? "(state = 'online' AND last_heartbeat_at >= ?)" : "NOT (state = 'online' AND last_heartbeat_at >= ?)");
    params.push(cutoff);
  }
  if (query.cursor !== undefined) {
    if (!/^prov_[0-9A-Za-z]{1,64}$/.test(query.cursor)) throw invalid("cursor", query.cursor, "cursor is not a cursor this server issued");
    where.push("id > ?");
    params.push(query.cursor);
  }
  const rows = await ctx.db.query<ProviderRow>(`SELECT * FROM providers WHERE ${where.join(" AND ")} ORDER BY id LIMIT ?`, [
    ...params,
    query.limit + 1,
  ]);
  const usage = await usageByProvider(ctx.db);
  const page = rows.slice(0, query.limit);
  return {
    providers: page.map((p) => providerToWire(ctx, p, usage.get(p.id))),
    nextCursor: rows.length > query.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}

function assignmentToWire(j: JobRow): Assignment {
  return {
    jobId: j.id,
    status: j.status,
    image: j.image,
    command: JSON.parse(j.command) as string[],
    args: JSON.parse(j.args) as string[],
    env: JSON.parse(j.env) as Record<string, string>,
    resources: { cpu: Number(j.cpu_milli) / 1000, memory: j.memory, gpu: Number(j.gpu), gpuModel: j.gpu_model },
    timeout: j.timeout,
    timeoutSeconds: (parseDurationMs(j.timeout) ?? Number(j.timeout_ms)) / 1000,
    price: formatMicroCredits(Number(j.price ?? 0)),
    scheduledAt: iso(j.scheduled_at) as string,
    startedAt: iso(j.started_at),
  };
}

async function assignmentsSnapshot(ctx: NetworkContext, id: string): Promise<AssignmentsResponse> {
  const p = (await loadProvider(ctx.db, id)) as ProviderRow;
  const jobs = await ctx.db.query<JobRow>(
    "SELECT * FROM jobs WHERE provider_id = ? AND status IN ('scheduled', 'running') ORDER BY scheduled_at, id",
    [id],
  );
  return { version: Number(p.assignment_version), assignments: jobs.map(assignmentToWire) };
}

/**
 * Long poll. Returns at once when there is news (version differs from `since`, or — without
 * `since` — some job is waiting to be started), else when news arrives or `waitSeconds` pass.
 * `signal` aborts the wait when the client goes away or the server closes.
 */
export async function pollAssignments(
  ctx: NetworkContext,
  principal: Principal,
  id: string,
  since: number | undefined,
  waitSeconds: number,
  signal: AbortSignal,
): Promise<AssignmentsResponse> {
  await ownProvider(ctx.db, principal, id);
  const hasNews = (s: AssignmentsResponse) =>
    since === undefined ? s.assignments.some((a) => a.status === "scheduled") : s.version !== since;
  let snapshot = await assignmentsSnapshot(ctx, id);
  if (hasNews(snapshot) || waitSeconds <= 0 || signal.aborted) return snapshot;
  return new Promise<AssignmentsResponse>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener("abort", finish);
      resolve(snapshot);
    };
    const timer = setTimeout(() => {
      void assignmentsSnapshot(ctx, id).then((s) => {
        snapshot = s;
        finish();
      }, finish);
    }, waitSeconds * 1000);
    const recheck = () => {
      void assignmentsSnapshot(ctx, id).then((s) => {
        snapshot = s;
        if (hasNews(s)) finish();
      }, finish);
    };
    const unsubscribe = ctx.bus.onProvider(id, recheck);
    signal.addEventListener("abort", finish);
    // A change committed between the first snapshot and the subscription sent its notification
    // to nobody: read once more now that we listen (with an asynchronous driver such as
    // PostgreSQL that window is real; without this the poll slept its whole wait).
    recheck();
  });
}
