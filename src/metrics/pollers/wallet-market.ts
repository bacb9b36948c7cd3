// Polls a credential's wallet (and optionally the market prices and provider earnings) into
// the wallet and market gauges. Cheap but not free: each round costs 1–3 requests of the
// credential's rate budget, so the default is one round per 5 minutes (at most 864 requests a
// day with all three — too many for the free tier's 1,000, hence `minBudgetShare`: a round is
// skipped while less than that share of the minute or day budget is left; NeoJob status polling
// always comes first). Errors never escape: the gauges keep their last value.

import type { Budget, MarketPrices, WalletBalance, WalletEarnings } from "../../neoengine/index.js";
import { setMarketPrices, setWalletBalance, setWalletEarnings } from "../adapters/market.js";
import { operatorMetrics, type OperatorMetrics } from "../registry.js";

/** The client calls the poller makes (a NeoEngineClient satisfies it). */
export interface WalletMarketClient {
  getBalance(): Promise<WalletBalance>;
  getEarnings?(): Promise<WalletEarnings>;
  getMarketPrices?(): Promise<MarketPrices>;
  budget?(): Budget | undefined;
}

export interface WalletMarketPollerOptions {
  client: WalletMarketClient;
  /** Non-secret name of the credential, the `credential` label. */
  credential: string;
  /** Also read GET /wallet/earnings (provider credentials). Default false. */
  earnings?: boolean;
  /** Also read GET /market/prices. Default true (one credential is enough). */
  market?: boolean;
  /** Between rounds. Default 300 000 (5 minutes). */
  intervalMs?: number;
  /** Skip a round while less than this share of the minute or day budget is left. Default 0.5. */
  minBudgetShare?: number;
  metrics?: OperatorMetrics;
  /** Poll at once on start (default true); false waits one interval first. */
  immediate?: boolean;
  /** Called with the error of a failed request (for a log line); never with a token. */
  onError?: (err: unknown) => void;
}

export interface WalletMarketPoller {
  /** One round now; resolves to false when skipped for budget. */
  pollOnce(): Promise<boolean>;
  stop(): void;
}

function budgetAllows(budget: Budget | undefined, share: number): boolean {
  if (!budget) return true;
  for (const w of [budget.minute, budget.day]) {
    if (w.limit !== null && w.remaining !== null && w.limit > 0 && w.remaining / w.limit < share) return false;
  }
  return true;
}

export function startWalletMarketPoller(opts: WalletMarketPollerOptions): WalletMarketPoller {
  const metrics = opts.metrics ?? operatorMetrics();
  const share = opts.minBudgetShare ?? 0.5;
  const onError = opts.onError ?? (() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const pollOnce = async (): Promise<boolean> => {
    if (!budgetAllows(opts.client.budget?.(), share)) return false;
    await opts.client.getBalance().then((b) => setWalletBalance(opts.credential, b, metrics), onError);
    if (opts.earnings && opts.client.getEarnings) {
      await opts.client.getEarnings().then((e) => setWalletEarnings(opts.credential, e, metrics), onError);
    }
    if ((opts.market ?? true) && opts.client.getMarketPrices) {
      await opts.client.getMarketPrices().then((p) => setMarketPrices(p, metrics), onError);
    }
    return true;
  };

  const loop = () => {
    if (stopped) return;
    void pollOnce()
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, opts.intervalMs ?? 300_000);
      });
  };
  if (opts.immediate ?? true) loop();
  else timer = setTimeout(loop, opts.intervalMs ?? 300_000);

  return {
    pollOnce,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
