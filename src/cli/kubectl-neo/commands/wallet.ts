// The account's money: wallet (balance and earnings) and withdraw (with a confirmation).

import type { Command } from "commander";
import type { WalletBalance, WalletEarnings } from "../../../neoengine/index.js";
import { isNeoEngineError } from "../../../neoengine/index.js";
import type { CommandContext } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { readLine } from "../io.js";
import { parseCreditsFlag } from "../neojob/build.js";
import { credits, isMachineFormat, parseOutputFormat, renderData } from "../render/format.js";
import { renderFields } from "../render/table.js";
import { action, type CommandDeps } from "./action.js";

export function registerWallet(program: Command, deps: CommandDeps): void {
  program
    .command("wallet")
    .summary("show the account's balance (available, escrowed) and provider earnings")
    .description(
      "Show the balance of the account the token belongs to: credits available to spend, credits " +
        "held in escrow for running jobs, and (for accounts that sell compute) earnings.",
    )
    .option("-o, --output <format>", "table, json or yaml", "table")
    .action(action<{ output: string }>(deps, (ctx, opts) => wallet(ctx, opts.output)));

  program
    .command("withdraw")
    .summary("withdraw provider earnings (asks for confirmation)")
    .description("Withdraw earnings from the account. Asks for confirmation first unless --yes is given.")
    .argument("<amount>", "credits to withdraw, e.g. 12.5")
    .option("--destination <ref>", "where the payout goes (recorded with the withdrawal)")
    .option("-y, --yes", "do not ask for confirmation")
    .option("-o, --output <format>", "table, json or yaml", "table")
    .addHelpText("after", "\nExamples:\n  kubectl neo withdraw 12.5\n  kubectl neo withdraw 100 --yes --destination acct-42\n")
    .action(
      action<{ destination?: string; yes?: boolean; output: string }>(deps, (ctx, opts, [amount]) => withdraw(ctx, amount as string, opts)),
    );
}

/** Earnings are absent for an account that never sold compute (or whose token may not see them). */
async function earningsOrUndefined(ctx: CommandContext, fetch: () => Promise<WalletEarnings>): Promise<WalletEarnings | undefined> {
  try {
    return await fetch();
  } catch (error) {
    if (isNeoEngineError(error) && (error.code === "FORBIDDEN" || error.code === "NOT_FOUND")) return undefined;
    throw error;
  }
}

export function renderWallet(balance: WalletBalance, earnings: WalletEarnings | undefined): string {
  const unit = balance.currency ?? "credits";
  const fields: [string, string][] = [
    ["Available", `${credits(balance.available)} ${unit}`],
    ["Escrowed", `${credits(balance.escrowed)} ${unit}`],
  ];
  if (earnings) {
    fields.push(
      ["Earnings available", `${credits(earnings.available)} ${unit}`],
      ["Earnings total", `${credits(earnings.total)} ${unit}`],
      ["Withdrawn", `${credits(earnings.withdrawn)} ${unit}`],
    );
    if (earnings.last24h !== undefined) fields.push(["Earned (24h)", `${credits(earnings.last24h)} ${unit}`]);
    if (earnings.jobsPaid !== undefined) fields.push(["Jobs paid", String(earnings.jobsPaid)]);
  } else {
    fields.push(["Earnings", "-"]);
  }
  return renderFields(fields);
}

async function wallet(ctx: CommandContext, output: string): Promise<number> {
  const format = parseOutputFormat(output, ["table", "json", "yaml"]);
  const client = await ctx.neoEngine();
  const signal = ctx.io.signal;
  const [balance, earnings] = await Promise.all([client.getBalance({ signal }), earningsOrUndefined(ctx, () => client.getEarnings({ signal }))]);
  ctx.out(isMachineFormat(format) ? renderData({ balance, earnings: earnings ?? null }, format) : renderWallet(balance, earnings));
  return EXIT.OK;
}

async function withdraw(ctx: CommandContext, amountText: string, opts: { destination?: string; yes?: boolean; output: string }): Promise<number> {
  const amount = parseCreditsFlag("<amount>")(amountText);
  const format = parseOutputFormat(opts.output, ["table", "json", "yaml"]);
  const client = await ctx.neoEngine();
  if (!opts.yes) {
    const earnings = await earningsOrUndefined(ctx, () => client.getEarnings({ signal: ctx.io.signal }));
    const available = earnings ? ` (earnings available: ${credits(earnings.available)} credits)` : "";
    const to = opts.destination ? ` to ${opts.destination}` : "";
    ctx.err(`Withdraw ${amount} credits${to}${available}? [y/N] `);
    const answer = await readLine(ctx.io);
    if (answer === undefined) {
      ctx.err("\n");
      throw new CliError("not confirmed: no answer on stdin", EXIT.USAGE, "pass --yes to withdraw without a prompt");
    }
    if (!/^\s*y(es)?\s*$/i.test(answer)) {
      ctx.err("Withdrawal cancelled; nothing was withdrawn.\n");
      return EXIT.USAGE;
    }
  }
  const res = await client.withdraw({ amount, ...(opts.destination ? { destination: opts.destination } : {}) }, { signal: ctx.io.signal });
  if (isMachineFormat(format)) {
    ctx.out(renderData(res, format));
    return EXIT.OK;
  }
  ctx.out(
    renderFields([
      ["Withdrawal", res.id],
      ["Amount", `${credits(res.amount)} credits`],
      ["Status", res.status],
      ...(res.destination ? [["Destination", res.destination] as [string, string]] : []),
      ...(res.remainingEarnings !== undefined ? [["Earnings left", `${credits(res.remainingEarnings)} credits`] as [string, string]] : []),
    ]),
  );
  return EXIT.OK;
}
