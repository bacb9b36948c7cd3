import { TIER_LIMITS, type Tier, parseCreditsToMicro, formatMicroCredits } from "../../neoengine/wire.js";
import type { NetworkContext, RateLimits } from "./context.js";
import { ApiError, invalid } from "./errors.js";
import { newId, randomBase62, sha256Hex } from "./ids.js";
import { ledgerAccount, post } from "./ledger.js";

export type TokenKind = "consumer" | "provider";

export interface Account {
  id: string;
  name: string;
  tier: Tier;
  limits: RateLimits | null;
}

export interface Principal {
  tokenId: string;
  kind: TokenKind;
  account: Account;
}

interface AccountRow {
  id: string;
  name: string;
  tier: string;
  limit_per_minute: number | null;
  limit_per_day: number | null;
}

const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  name: r.name,
  tier: r.tier as Tier,
  limits:
    r.limit_per_minute !== null && r.limit_per_day !== null
      ? { perMinute: Number(r.limit_per_minute), perDay: Number(r.limit_per_day) }
      : null,
});

/** Largest single grant: 1e9 credits. */
const MAX_GRANT_MICRO = 1_000_000_000 * 1_000_000;

const ACCOUNT_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Credits given as a decimal string or a number of credits -> micro-credits. */
export function creditsToMicro(credits: string | number, field = "credits"): number {
  const text = typeof credits === "number" ? credits.toFixed(6) : credits;
  const micro = parseCreditsToMicro(text);
  if (micro === undefined) throw invalid(field, credits, `${field} must be a non-negative decimal number of credits`);
  // Keeps every balance far inside the safe-integer range of micro-credits.
  if (micro > MAX_GRANT_MICRO) throw invalid(field, credits, `${field} must be at most 1000000000 per grant`);
  return micro;
}

export async function createAccount(
  ctx: NetworkContext,
  name: string,
  tier: Tier,
  credits: string | number = 0,
  limits?: RateLimits,
): Promise<Account> {
  if (!ACCOUNT_NAME_RE.test(name)) throw invalid("name", name, "account name must be 1-63 letters, digits, '.', '_' or '-'");
  if (!["free", "pro", "enterprise"].includes(tier)) throw invalid("tier", tier, "tier must be one of free, pro, enterprise");
  if (limits && (!(limits.perMinute >= 1) || !(limits.perDay >= 1))) throw invalid("limits", limits, "limits must be at least 1");
  const micro = creditsToMicro(credits);
  const id = newId("acct");
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    if (await tx.queryOne("SELECT id FROM accounts WHERE name = ?", [name])) {
      throw new ApiError("CONFLICT", `account ${name} already exists`, { field: "name", value: name });
    }
    await tx.execute(
      "INSERT INTO accounts (id, name, tier, limit_per_minute, limit_per_day, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      [id, name, tier, limits?.perMinute ?? null, limits?.perDay ?? null, now],
    );
    await post(tx, [{ from: ledgerAccount.deposits, to: ledgerAccount.available(id), amount: micro }], { kind: "deposit", now });
  });
  return { id, name, tier, limits: limits ?? null };
}

export async function findAccountByName(ctx: NetworkContext, name: string): Promise<Account> {
  const row = await ctx.db.queryOne<AccountRow>("SELECT * FROM accounts WHERE name = ?", [name]);
  if (!row) throw new ApiError("NOT_FOUND", `account ${name} not found`, { field: "name", value: name });
  return toAccount(row);
}

/** Grants credits to an account (an operator action: money enters from world:deposits). */
export async function creditAccount(ctx: NetworkContext, name: string, credits: string | number): Promise<string> {
  const account = await findAccountByName(ctx, name);
  const micro = creditsToMicro(credits);
  const now = ctx.now();
  await ctx.db.transaction((tx) =>
    post(tx, [{ from: ledgerAccount.deposits, to: ledgerAccount.available(account.id), amount: micro }], { kind: "deposit", now }),
  );
  return formatMicroCredits(micro);
}

/** Creates a bearer token; only its SHA-256 is stored, the token itself is returned once. */
export async function createToken(ctx: NetworkContext, accountName: string, kind: TokenKind): Promise<string> {
  const account = await findAccountByName(ctx, accountName);
  const token = `neo_${kind === "provider" ? "p" : "c"}_${randomBase62(40)}`;
  await ctx.db.execute("INSERT INTO tokens (id, account_id, token_hash, kind, created_at) VALUES (?, ?, ?, ?, ?)", [
    newId("tok"),
    account.id,
    sha256Hex(token),
    kind,
    ctx.now(),
  ]);
  return token;
}

export async function authenticate(ctx: NetworkContext, token: string): Promise<Principal | undefined> {
  const row = await ctx.db.queryOne<AccountRow & { token_id: string; kind: string }>(
    `SELECT a.*, t.id AS token_id, t.kind AS kind FROM tokens t JOIN accounts a ON a.id = t.account_id
     WHERE t.token_hash = ? AND t.revoked_at IS NULL`,
    [sha256Hex(token)],
  );
  if (!row) return undefined;
  return { tokenId: row.token_id, kind: row.kind as TokenKind, account: toAccount(row) };
}

export function limitsFor(ctx: NetworkContext, principal: Principal): RateLimits {
  if (principal.kind === "provider") return ctx.config.providerLimits;
  const { account } = principal;
  if (account.tier === "enterprise") return account.limits ?? ctx.config.enterpriseLimits;
  return TIER_LIMITS[account.tier];
}
