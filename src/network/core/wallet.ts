import { formatMicroCredits, parseCreditsToMicro, type WalletBalance, type WalletEarnings, type WithdrawResponse } from "../../neoengine/wire.js";
import type { Principal } from "./accounts.js";
import { iso, type NetworkContext } from "./context.js";
import { ApiError } from "./errors.js";
import { newId } from "./ids.js";
import { balanceOf, ledgerAccount, post } from "./ledger.js";

const DAY_MS = 24 * 3_600_000;

export async function walletBalance(ctx: NetworkContext, principal: Principal): Promise<WalletBalance> {
  const id = principal.account.id;
  return {
    available: formatMicroCredits(await balanceOf(ctx.db, ledgerAccount.available(id))),
    escrowed: formatMicroCredits(await balanceOf(ctx.db, ledgerAccount.escrow(id))),
    earnings: formatMicroCredits(await balanceOf(ctx.db, ledgerAccount.earnings(id))),
    currency: "credits",
  };
}

export async function walletEarnings(ctx: NetworkContext, principal: Principal): Promise<WalletEarnings> {
  const account = ledgerAccount.earnings(principal.account.id);
  const earned = await ctx.db.queryOne<{ v: number | null; jobs: number }>(
    "SELECT SUM(amount) AS v, COUNT(DISTINCT job_id) AS jobs FROM ledger_entries WHERE ledger_account = ? AND amount > 0",
    [account],
  );
  const recent = await ctx.db.queryOne<{ v: number | null }>(
    "SELECT SUM(amount) AS v FROM ledger_entries WHERE ledger_account = ? AND amount > 0 AND created_at >= ?",
    [account, ctx.now() - DAY_MS],
  );
  const withdrawn = await ctx.db.queryOne<{ v: number | null }>("SELECT SUM(amount) AS v FROM withdrawals WHERE account_id = ?", [
    principal.account.id,
  ]);
  return {
    available: formatMicroCredits(await balanceOf(ctx.db, account)),
    total: formatMicroCredits(Number(earned?.v ?? 0)),
    withdrawn: formatMicroCredits(Number(withdrawn?.v ?? 0)),
    last24h: formatMicroCredits(Number(recent?.v ?? 0)),
    jobsPaid: Number(earned?.jobs ?? 0),
    feeBasisPoints: ctx.config.feeBasisPoints,
  };
}

/** Pays out earnings (never spendable credits); cannot exceed what has been earned and not withdrawn. */
export async function withdraw(
  ctx: NetworkContext,
  principal: Principal,
  body: { amount: string; destination?: string | undefined },
): Promise<WithdrawResponse> {
  const amount = parseCreditsToMicro(body.amount) as number;
  const accountId = principal.account.id;
  const now = ctx.now();
  const id = newId("wd");
  const remaining = await ctx.db.transaction(async (tx) => {
    const available = await balanceOf(tx, ledgerAccount.earnings(accountId));
    if (amount > available) {
      throw new ApiError("INSUFFICIENT_FUNDS", `amount ${formatMicroCredits(amount)} exceeds available earnings ${formatMicroCredits(available)}`, {
        field: "amount",
        value: body.amount,
        available: formatMicroCredits(available),
      });
    }
    await post(tx, [{ from: ledgerAccount.earnings(accountId), to: ledgerAccount.withdrawals, amount }], { kind: "withdrawal", now });
    await tx.execute("INSERT INTO withdrawals (id, account_id, amount, destination, created_at) VALUES (?, ?, ?, ?, ?)", [
      id,
      accountId,
      amount,
      body.destination ?? null,
      now,
    ]);
    return available - amount;
  });
  return {
    id,
    amount: formatMicroCredits(amount),
    destination: body.destination ?? null,
    status: "completed",
    createdAt: iso(now) as string,
    remainingEarnings: formatMicroCredits(remaining),
  };
}
