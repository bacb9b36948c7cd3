import type { z } from "zod";
import {
  isTerminalJobStatus,
  parseCreditsToMicro,
  parseDurationMs,
  parseQuantityBytes,
  formatMicroCredits,
  type Job,
  type JobEventRequestSchema,
  type JobResults,
  type JobStatus,
  type PutResultsRequestSchema,
  type SubmitJobRequestSchema,
  type SubmitJobResponse,
} from "../../neoengine/wire.js";
import type { SqlExecutor, SqlParam } from "../storage/sql.js";
import type { Principal } from "./accounts.js";
import { iso, type NetworkContext } from "./context.js";
import { ApiError, conflict, invalid, notFound } from "./errors.js";
import { newId, sha256Hex, stableStringify } from "./ids.js";
import { jobToWire, type JobRow } from "./job-row.js";
import { balanceOf, ledgerAccount, post } from "./ledger.js";
import { escrowFor } from "./pricing.js";
import { endJob } from "./settlement.js";

export type SubmitJobBody = z.output<typeof SubmitJobRequestSchema>;
export type JobEventBody = z.output<typeof JobEventRequestSchema>;
export type PutResultsBody = z.output<typeof PutResultsRequestSchema>;

/** Idempotency keys are honoured for 24 h. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** Most a job may offer per hour (keeps escrow arithmetic far inside safe integers). */
export const MAX_PRICE_MICRO = 1_000_000 * 1_000_000;

async function loadJob(sql: SqlExecutor, id: string): Promise<JobRow | undefined> {
  return sql.queryOne<JobRow>("SELECT * FROM jobs WHERE id = ?", [id]);
}

/** A consumer's own job; another account's job is indistinguishable from a missing one (404). */
async function ownJob(sql: SqlExecutor, accountId: string, id: string): Promise<JobRow> {
  const job = await loadJob(sql, id);
  if (!job || job.account_id !== accountId) throw notFound("job", id);
  return job;
}

/** A job assigned to one of the calling provider account's providers (404 otherwise). */
async function assignedJob(sql: SqlExecutor, principal: Principal, id: string): Promise<JobRow> {
  const job = await loadJob(sql, id);
  if (job?.provider_id) {
    const p = await sql.queryOne<{ account_id: string }>("SELECT account_id FROM providers WHERE id = ?", [job.provider_id]);
    if (p?.account_id === principal.account.id) return job;
  }
  throw notFound("job", id);
}

export async function submitJob(
  ctx: NetworkContext,
  principal: Principal,
  body: SubmitJobBody,
  idempotencyKey: string | undefined,
): Promise<{ response: SubmitJobResponse; replayed: boolean }> {
  const maxPrice = parseCreditsToMicro(body.maxPrice) as number; // validated by the schema
  if (maxPrice > MAX_PRICE_MICRO) throw invalid("maxPrice", body.maxPrice, "maxPrice must be at most 1000000");
  const timeoutMs = parseDurationMs(body.timeout) as number;
  const memoryBytes = parseQuantityBytes(body.resources.memory) as number;
  if (memoryBytes < 1) throw invalid("resources.memory", body.resources.memory, "memory must be greater than 0");
  const escrow = escrowFor(maxPrice, timeoutMs);
  const accountId = principal.account.id;
  const bodyHash = sha256Hex(stableStringify(body));
  const now = ctx.now();

  const result = await ctx.db.transaction(async (tx) => {
    if (idempotencyKey !== undefined) {
      const prior = await tx.queryOne<{ body_hash: string; job_id: string; created_at: number }>(
        "SELECT body_hash, job_id, created_at FROM idempotency_keys WHERE account_id = ? AND idem_key = ?",
        [accountId, idempotencyKey],
      );
      if (prior && now - Number(prior.created_at) < IDEMPOTENCY_TTL_MS) {
        if (prior.body_hash !== bodyHash) {
          throw conflict("Idempotency-Key was already used with a different request body", {
            field: "Idempotency-Key",
            value: idempotencyKey,
          });
        }
        const job = (await loadJob(tx, prior.job_id)) as JobRow;
        return { response: { id: job.id, status: job.status, createdAt: iso(job.created_at) as string }, replayed: true };
      }
      if (prior) await tx.execute("DELETE FROM idempotency_keys WHERE account_id = ? AND idem_key = ?", [accountId, idempotencyKey]);
    }
    const available = await balanceOf(tx, ledgerAccount.available(accountId));
    if (available < escrow) {
      throw new ApiError("INSUFFICIENT_FUNDS", `balance ${formatMicroCredits(available)} cannot cover maxPrice × timeout = ${formatMicroCredits(escrow)}`, {
        field: "maxPrice",
        value: body.maxPrice,
        required: formatMicroCredits(escrow),
        available: formatMicroCredits(available),
      });
    }
    const id = newId("job");
    const seq = Number((await tx.queryOne<{ s: number | null }>("SELECT MAX(seq) AS s FROM jobs"))?.s ?? 0) + 1;
    await tx.execute(
      `INSERT INTO jobs (id, seq, account_id, status, image, command, args, env, cpu_milli, memory_bytes, memory, gpu, gpu_model,
         max_price, timeout, timeout_ms, placement, provider_id, price, escrow, cost, progress, exit_code, message, attempts,
         results, log_bytes, log_seq, created_at, scheduled_at, started_at, finished_at)
       VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, NULL, 0, NULL, NULL, 0, NULL, 0, 0, ?, NULL, NULL, NULL)`,
      [
        id,
        seq,
        accountId,
        body.image,
        JSON.stringify(body.command ?? []),
        JSON.stringify(body.args ?? []),
        JSON.stringify(body.env ?? {}),
        Math.round(body.resources.cpu * 1000),
        memoryBytes,
        body.resources.memory,
        body.resources.gpu,
        body.resources.gpuModel ?? null,
        maxPrice,
        body.timeout,
        timeoutMs,
        body.placement ? JSON.stringify(body.placement) : null,
        escrow,
        now,
      ],
    );
    await post(tx, [{ from: ledgerAccount.available(accountId), to: ledgerAccount.escrow(accountId), amount: escrow }], {
      kind: "escrow_hold",
      jobId: id,
      now,
    });
    if (idempotencyKey !== undefined) {
      await tx.execute("INSERT INTO idempotency_keys (account_id, idem_key, body_hash, job_id, created_at) VALUES (?, ?, ?, ?, ?)", [
        accountId,
        idempotencyKey,
        bodyHash,
        id,
        now,
      ]);
    }
    return { response: { id, status: "pending" as JobStatus, createdAt: iso(now) as string }, replayed: false };
  });
  if (!result.replayed) ctx.requestSchedule();
  return result;
}

export async function getJob(ctx: NetworkContext, principal: Principal, id: string): Promise<Job> {
  return jobToWire(await ownJob(ctx.db, principal.account.id, id));
}

function decodeCursor(cursor: string): number {
  const seq = /^[0-9]{1,15}$/.test(cursor) ? Number(cursor) : NaN;
  if (!Number.isSafeInteger(seq)) throw invalid("cursor", cursor, "cursor is not a cursor this server issued");
  return seq;
}

/** Newest first; `nextCursor` continues after the last job of this page. */
export async function listJobs(
  ctx: NetworkContext,
  principal: Principal,
  query: { status?: JobStatus[] | undefined; limit: number; cursor?: string | undefined },
): Promise<{ jobs: Job[]; nextCursor: string | null }> {
  const where = ["account_id = ?"];
  const params: SqlParam[] = [principal.account.id];
  if (query.status && query.status.length > 0) {
    where.push(`status IN (${query.status.map(() => "?").join(", ")})`);
    params.push(...query.status);
  }
  if (query.cursor !== undefined) {
    where.push("seq < ?");
    params.push(decodeCursor(query.cursor));
  }
  const rows = await ctx.db.query<JobRow>(
    `SELECT * FROM jobs WHERE ${where.join(" AND ")} ORDER BY seq DESC LIMIT ?`,
    [...params, query.limit + 1],
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    jobs: page.map(jobToWire),
    nextCursor: rows.length > query.limit && last ? String(last.seq) : null,
  };
}

export async function cancelJob(ctx: NetworkContext, principal: Principal, id: string): Promise<Job> {
  const job = await ctx.db.transaction(async (tx) => {
    const row = await ownJob(tx, principal.account.id, id);
    if (isTerminalJobStatus(row.status)) {
      throw conflict(`job ${id} has already finished (${row.status})`, { field: "status", value: row.status });
    }
    await endJob(tx, ctx, row, { status: "cancelled", message: "cancelled by the consumer" });
    return (await loadJob(tx, id)) as JobRow;
  });
  return jobToWire(job);
}

export async function getResults(ctx: NetworkContext, principal: Principal, id: string): Promise<JobResults> {
  const job = await ownJob(ctx.db, principal.account.id, id);
  if (!isTerminalJobStatus(job.status)) {
    throw conflict(`job ${id} has not finished yet (${job.status}); results are available once it ends`, {
      field: "status",
      value: job.status,
    });
  }
  const reported = job.results ? (JSON.parse(job.results) as { outputs?: JobResults["outputs"] }) : {};
  const started = job.started_at === null ? null : Number(job.started_at);
  const finished = job.finished_at === null ? null : Number(job.finished_at);
  return {
    jobId: job.id,
    status: job.status,
    exitCode: job.exit_code === null ? null : Number(job.exit_code),
    message: job.message,
    startedAt: iso(started),
    finishedAt: iso(finished),
    durationSeconds: started !== null && finished !== null ? (finished - started) / 1000 : null,
    cost: formatMicroCredits(Number(job.cost ?? 0)),
    outputs: reported.outputs ?? [],
  };
}

// ---- logs ------------------------------------------------------------------------------

export async function readLogChunks(
  sql: SqlExecutor,
  jobId: string,
  afterSeq: number,
): Promise<{ seq: number; data: string }[]> {
  return sql.query<{ seq: number; data: string }>("SELECT seq, data FROM job_logs WHERE job_id = ? AND seq > ? ORDER BY seq", [
    jobId,
    afterSeq,
  ]);
}

export function lastLines(text: string, n: number): string {
  if (n === 0) return "";
  const lines = text.split("\n");
  const trailing = lines[lines.length - 1] === "";
  if (trailing) lines.pop();
  return lines.slice(-n).join("\n") + (trailing ? "\n" : "");
}

/** The job (checked to be the consumer's) with its current log text. */
export async function readLogs(
  ctx: NetworkContext,
  principal: Principal,
  id: string,
  tail: number | undefined,
): Promise<{ job: JobRow; text: string; lastSeq: number }> {
  const job = await ownJob(ctx.db, principal.account.id, id);
  const chunks = await readLogChunks(ctx.db, id, 0);
  const text = chunks.map((c) => c.data).join("");
  const lastSeq = chunks.length > 0 ? Number((chunks[chunks.length - 1] as { seq: number }).seq) : 0;
  return { job, text: tail === undefined ? text : lastLines(text, tail), lastSeq };
}

export async function jobStatusOf(ctx: NetworkContext, id: string): Promise<JobStatus | undefined> {
  return (await ctx.db.queryOne<{ status: JobStatus }>("SELECT status FROM jobs WHERE id = ?", [id]))?.status;
}

export async function appendLogs(ctx: NetworkContext, principal: Principal, id: string, data: string): Promise<{ jobId: string; bytes: number }> {
  const bytes = Buffer.byteLength(data, "utf8");
  const total = await ctx.db.transaction(async (tx) => {
    const job = await assignedJob(tx, principal, id);
    if (bytes === 0) return Number(job.log_bytes);
    const seq = Number(job.log_seq) + 1;
    let total = Number(job.log_bytes) + bytes;
    await tx.execute("INSERT INTO job_logs (job_id, seq, data, bytes) VALUES (?, ?, ?, ?)", [id, seq, data, bytes]);
    // Keep the newest maxLogBytesPerJob bytes: drop whole chunks from the oldest end.
    if (total > ctx.config.maxLogBytesPerJob) {
      const chunks = await tx.query<{ seq: number; bytes: number }>("SELECT seq, bytes FROM job_logs WHERE job_id = ? ORDER BY seq", [id]);
      for (const c of chunks) {
        if (total <= ctx.config.maxLogBytesPerJob || Number(c.seq) === seq) break;
        await tx.execute("DELETE FROM job_logs WHERE job_id = ? AND seq = ?", [id, c.seq]);
        total -= Number(c.bytes);
      }
    }
    await tx.execute("UPDATE jobs SET log_seq = ?, log_bytes = ? WHERE id = ?", [seq, total, id]);
    return total;
  });
  ctx.bus.jobChanged(id);
  return { jobId: id, bytes: total };
}

// ---- provider reports ------------------------------------------------------------------

export async function reportEvent(ctx: NetworkContext, principal: Principal, id: string, event: JobEventBody): Promise<Job> {
  const job = await ctx.db.transaction(async (tx) => {
    const row = await assignedJob(tx, principal, id);
    const now = ctx.now();
    if (isTerminalJobStatus(row.status)) {
      // A repeated final report is accepted as a no-op so providers can retry safely.
      if (event.status === row.status && event.progress === undefined) return row;
      throw conflict(`job ${id} has already finished (${row.status})`, { field: "status", value: row.status });
    }
    if (row.status === "pending") throw notFound("job", id); // requeued away from this provider
    let status = row.status;
    if (event.status === "running" && status === "scheduled") {
      await tx.execute("UPDATE jobs SET status = 'running', started_at = ? WHERE id = ?", [now, id]);
      status = "running";
    }
    if (event.progress !== undefined || event.message !== undefined || event.exitCode !== undefined) {
      await tx.execute(
        "UPDATE jobs SET progress = COALESCE(?, progress), message = COALESCE(?, message), exit_code = COALESCE(?, exit_code) WHERE id = ?",
        [event.progress ?? null, event.message ?? null, event.exitCode ?? null, id],
      );
    }
    if (event.status === "succeeded" || event.status === "failed" || event.status === "timed_out") {
      const current = (await loadJob(tx, id)) as JobRow;
      await endJob(tx, ctx, current, { status: event.status, exitCode: event.exitCode ?? null, message: event.message ?? null });
    } else if (status !== row.status) {
      await tx.execute("UPDATE providers SET assignment_version = assignment_version + 1 WHERE id = ?", [row.provider_id]);
      ctx.bus.providerChanged(row.provider_id as string);
    }
    return (await loadJob(tx, id)) as JobRow;
  });
  ctx.bus.jobChanged(id);
  if (isTerminalJobStatus(job.status)) ctx.requestSchedule();
  return jobToWire(job);
}

export async function putResults(ctx: NetworkContext, principal: Principal, id: string, body: PutResultsBody): Promise<JobResults> {
  const accountRow = await ctx.db.transaction(async (tx) => {
    const row = await assignedJob(tx, principal, id);
    if (row.status === "pending") throw notFound("job", id);
    await tx.execute("UPDATE jobs SET results = ? WHERE id = ?", [JSON.stringify({ outputs: body.outputs ?? [] }), id]);
    if (!isTerminalJobStatus(row.status)) {
      const current = (await loadJob(tx, id)) as JobRow;
      await endJob(tx, ctx, current, {
        status: body.exitCode === 0 ? "succeeded" : "failed",
        exitCode: body.exitCode,
        message: body.message ?? null,
      });
    } else {
      await tx.execute("UPDATE jobs SET exit_code = COALESCE(exit_code, ?), message = COALESCE(?, message) WHERE id = ?", [
        body.exitCode,
        body.message ?? null,
        id,
      ]);
    }
    return row.account_id;
  });
  ctx.bus.jobChanged(id);
  ctx.requestSchedule();
  return getResults(ctx, { ...principal, account: { ...principal.account, id: accountRow } }, id);
}
