import type { JobStatus } from "../../neoengine/wire.js";
import type { SqlExecutor } from "../storage/sql.js";
import type { NetworkContext } from "./context.js";
import type { JobRow } from "./job-row.js";
import { ledgerAccount, post } from "./ledger.js";
import { chargeFor } from "./pricing.js";

/** How a job end moves the provider's reputation (0–1000, starts at 500). */
export const REPUTATION_DELTA = {
  succeeded: 10,
  failed: -10,
  timed_out: -5,
  cancelled: 0,
  /** The provider went offline or deregistered with the job running. */
  abandoned: -50,
  /** The provider did not start a scheduled job within the start timeout (the job is requeued). */
  notStarted: -5,
} as const;

export interface EndOptions {
  status: Extract<JobStatus, "succeeded" | "failed" | "cancelled" | "timed_out">;
  exitCode?: number | null;
  message?: string | null;
  /** true when the provider lost the job: nothing is charged, reputation drops hard. */
  abandoned?: boolean;
}

/**
 * Ends a live job and settles its escrow, inside the caller's transaction:
 * charge = price × runtime (runtime capped at the timeout, charge capped at the escrow; zero
 * when the job never started or the provider abandoned it); the provider's account earns the
 * charge minus the platform fee; the rest of the escrow returns to the consumer.
 */
export async function endJob(tx: SqlExecutor, ctx: NetworkContext, job: JobRow, opts: EndOptions): Promise<void> {
  const now = ctx.now();
  const timeoutMs = Number(job.timeout_ms);
  let cost = 0;
  if (!opts.abandoned && job.started_at !== null && job.price !== null) {
    const runtime = opts.status === "timed_out" ? timeoutMs : Math.min(Math.max(0, now - Number(job.started_at)), timeoutMs);
    cost = Math.min(Number(job.escrow), chargeFor(Number(job.price), runtime));
  }
  const fee = Math.floor((cost * ctx.config.feeBasisPoints) / 10_000);
  const escrow = ledgerAccount.escrow(job.account_id);
  const provider =
    job.provider_id === null
      ? undefined
      : await tx.queryOne<{ account_id: string; reputation: number }>("SELECT account_id, reputation FROM providers WHERE id = ?", [
          job.provider_id,
        ]);
  const providerAccount = provider?.account_id;
  if (cost > 0 && providerAccount === undefined) cost = 0; // cannot happen: providers are never deleted
  await post(
    tx,
    [
      { from: escrow, to: ledgerAccount.earnings(providerAccount ?? "none"), amount: cost - fee },
      { from: escrow, to: ledgerAccount.fees, amount: fee },
      { from: escrow, to: ledgerAccount.available(job.account_id), amount: Number(job.escrow) - cost },
    ],
    { kind: `job_${opts.status}`, jobId: job.id, now },
  );
  await tx.execute(
    `UPDATE jobs SET status = ?, finished_at = ?, cost = ?, exit_code = COALESCE(?, exit_code), message = COALESCE(?, message),
       progress = CASE WHEN ? = 'succeeded' THEN 100 ELSE progress END WHERE id = ?`,
    [opts.status, now, cost, opts.exitCode ?? null, opts.message ?? null, opts.status, job.id],
  );
  if (job.provider_id !== null && provider) {
    const delta = opts.abandoned ? REPUTATION_DELTA.abandoned : REPUTATION_DELTA[opts.status];
    const failed = opts.abandoned || opts.status === "failed" || opts.status === "timed_out" ? 1 : 0;
    const completed = opts.status === "succeeded" && !opts.abandoned ? 1 : 0;
    await tx.execute(
      `UPDATE providers SET reputation = ?, jobs_completed = jobs_completed + ?,
         jobs_failed = jobs_failed + ?, assignment_version = assignment_version + 1 WHERE id = ?`,
      [Math.min(1000, Math.max(0, Number(provider.reputation) + delta)), completed, failed, job.provider_id],
    );
    ctx.bus.providerChanged(job.provider_id);
  }
  ctx.bus.jobChanged(job.id);
}
