// Wallet and market gauges, set from the client's responses (GET /wallet/balance,
// /wallet/earnings, /market/prices) by whichever loop polls them.

import type { MarketPrices, WalletBalance, WalletEarnings } from "../../neoengine/index.js";
import { operatorMetrics, type OperatorMetrics } from "../registry.js";
import { creditsToNumber } from "./credits.js";

export function setWalletBalance(credential: string, balance: WalletBalance, metrics: OperatorMetrics = operatorMetrics()): void {
  const { m } = metrics;
  for (const kind of ["available", "escrowed"] as const) {
    const credits = creditsToNumber(balance[kind]);
    if (credits !== undefined) m.walletBalance.set({ credential, kind }, credits);
  }
}

export function setWalletEarnings(credential: string, earnings: WalletEarnings, metrics: OperatorMetrics = operatorMetrics()): void {
  const { m } = metrics;
  for (const kind of ["available", "total", "withdrawn"] as const) {
    const credits = creditsToNumber(earnings[kind]);
    if (credits !== undefined) m.walletEarnings.set({ credential, kind }, credits);
  }
}

/** Replaces all price series: a resource or model nobody offers any more disappears. */
export function setMarketPrices(prices: MarketPrices, metrics: OperatorMetrics = operatorMetrics()): void {
  const { m } = metrics;
  m.marketPrice.reset();
  const set = (resource: string, gpuModel: string, range: { min: number; avg: number; max: number }) => {
    for (const stat of ["min", "avg", "max"] as const) m.marketPrice.set({ resource, gpu_model: gpuModel, stat }, range[stat]);
  };
  if (prices.cpu) set("cpu", "", prices.cpu);
  if (prices.memory) set("memory", "", prices.memory);
  for (const [model, range] of Object.entries(prices.gpu)) set("gpu", model, range);
}
