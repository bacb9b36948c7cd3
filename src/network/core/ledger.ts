import type { SqlExecutor } from "../storage/sql.js";
import { ApiError } from "./errors.js";
import { newId } from "./ids.js";

// Double-entry ledger in integer micro-credits. Every movement is one transaction of entries
// that sum to zero; ledger_balances caches each ledger account's sum in the same SQL
// transaction. Ledger accounts:
//   acct:<id>:available  spendable credits of an account
//   acct:<id>:escrow     held for the account's live jobs
//   acct:<id>:earnings   provider earnings not yet withdrawn
//   world:deposits       counterpart of credits granted by an operator (goes negative)
//   world:withdrawals    counterpart of withdrawals (goes positive)
//   platform:fees        the network's fee income
// Only world:* accounts may go negative; everything else is checked before it moves.
export const ledgerAccount = {
  available: (accountId: string) => `acct:${accountId}:available`,
  escrow: (accountId: string) => `acct:${accountId}:escrow`,
  earnings: (accountId: string) => `acct:${accountId}:earnings`,
  deposits: "world:deposits",
  withdrawals: "world:withdrawals",
  fees: "platform:fees",
} as const;

export interface Transfer {
  from: string;
  to: string;
  amount: number;
}

export async function balanceOf(sql: SqlExecutor, ledgerAccountName: string): Promise<number> {
  const row = await sql.queryOne<{ balance: number }>("SELECT balance FROM ledger_balances WHERE ledger_account = ?", [
    ledgerAccountName,
  ]);
  return row ? Number(row.balance) : 0;
}

/**
 * Posts the transfers as one ledger transaction. Must run inside a SQL transaction. Throws
 * INSUFFICIENT_FUNDS (and posts nothing) when a non-world account would go negative.
 */
export async function post(
  tx: SqlExecutor,
  transfers: readonly Transfer[],
  meta: { kind: string; jobId?: string | null; now: number },
): Promise<void> {
  const moves = transfers.filter((t) => t.amount !== 0);
  for (const t of moves) {
    if (!Number.isSafeInteger(t.amount) || t.amount < 0) throw new Error(`ledger: invalid amount ${t.amount}`);
  }
  // Net effect per ledger account, checked before anything is written.
  const net = new Map<string, number>();
  for (const t of moves) {
    net.set(t.from, (net.get(t.from) ?? 0) - t.amount);
    net.set(t.to, (net.get(t.to) ?? 0) + t.amount);
  }
  for (const [account, delta] of net) {
    if (delta >= 0 || account.startsWith("world:")) continue;
    const balance = await balanceOf(tx, account);
    if (balance + delta < 0) {
      throw new ApiError("INSUFFICIENT_FUNDS", "insufficient funds", { field: account.split(":")[2] ?? account, value: balance });
    }
  }
  const txId = newId("ltx");
  let seq = 0;
  for (const t of moves) {
    for (const [account, amount] of [[t.from, -t.amount], [t.to, t.amount]] as const) {
      await tx.execute(
        "INSERT INTO ledger_entries (tx_id, seq, ledger_account, amount, kind, job_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [txId, seq++, account, amount, meta.kind, meta.jobId ?? null, meta.now],
      );
    }
  }
  for (const [account, delta] of net) {
    await tx.execute(
      "INSERT INTO ledger_balances (ledger_account, balance) VALUES (?, ?) ON CONFLICT (ledger_account) DO UPDATE SET balance = ledger_balances.balance + excluded.balance",
      [account, delta],
    );
  }
}
