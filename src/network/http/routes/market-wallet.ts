import {
  ErrorEnvelopeSchema,
  MarketPricesSchema,
  MarketStatsSchema,
  WalletBalanceSchema,
  WalletEarningsSchema,
  WithdrawRequestSchema,
  WithdrawResponseSchema,
} from "../../../neoengine/wire.js";
import type { NetworkContext } from "../../core/context.js";
import { marketPrices, marketStats } from "../../core/market.js";
import { walletBalance, walletEarnings, withdraw } from "../../core/wallet.js";
import { parseWith, principalOf, type RouteDef } from "../route.js";

export function marketWalletRoutes(ctx: NetworkContext): RouteDef[] {
  return [
    {
      method: "GET",
      url: "/v1/market/prices",
      role: "any",
      summary: "Get Prices",
      description: "min/avg/max of online providers' asks in credits per hour: cpu per core, memory per GiB, gpu per device by model.",
      responses: { 200: { description: "Prices", schema: MarketPricesSchema } },
      handler: async () => marketPrices(ctx),
    },
    {
      method: "GET",
      url: "/v1/market/stats",
      role: "any",
      summary: "Get Network Stats",
      responses: { 200: { description: "Stats", schema: MarketStatsSchema } },
      handler: async () => marketStats(ctx),
    },
    {
      method: "GET",
      url: "/v1/wallet/balance",
      role: "any",
      summary: "Get Balance",
      responses: { 200: { description: "Balance", schema: WalletBalanceSchema } },
      handler: async (req) => walletBalance(ctx, principalOf(req)),
    },
    {
      method: "GET",
      url: "/v1/wallet/earnings",
      role: "any",
      summary: "Get Earnings",
      responses: { 200: { description: "Earnings", schema: WalletEarningsSchema } },
      handler: async (req) => walletEarnings(ctx, principalOf(req)),
    },
    {
      method: "POST",
      url: "/v1/wallet/withdraw",
      role: "any",
      summary: "Withdraw",
      description: "Pays out provider earnings; cannot exceed the available earnings (402).",
      body: WithdrawRequestSchema,
      responses: {
        200: { description: "Withdrawal", schema: WithdrawResponseSchema },
        400: { description: "Invalid parameters", schema: ErrorEnvelopeSchema },
        402: { description: "Amount exceeds available earnings", schema: ErrorEnvelopeSchema },
      },
      handler: async (req) => withdraw(ctx, principalOf(req), parseWith(WithdrawRequestSchema, req.body, "body")),
    },
  ];
}
