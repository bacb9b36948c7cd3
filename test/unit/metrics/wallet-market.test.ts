// The wallet/market poller against the real reference network server on loopback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOperatorMetrics, startWalletMarketPoller, type OperatorMetrics } from "../../../src/metrics/index.js";
import { NeoEngineClient } from "../../../src/neoengine/index.js";
import { startNetworkServer, type NetworkServer } from "../../../src/network/index.js";

let network: NetworkServer;
let consumer: NeoEngineClient;
let seller: NeoEngineClient;

beforeAll(async () => {
  network = await startNetworkServer({ schedulerIntervalMs: 0 });
  await network.admin.createAccount("consumer", "pro", 250);
  await network.admin.createAccount("seller", "pro");
  consumer = new NeoEngineClient({ baseUrl: `${network.url}/v1`, token: await network.admin.createToken("consumer"), rateLimiter: { tier: "pro" } });
  seller = new NeoEngineClient({ baseUrl: `${network.url}/v1`, token: await network.admin.createToken("seller", { provider: true }), rateLimiter: false });
  const provider = await seller.registerProvider({
    name: "a100-box",
    resources: { cpu: 32, memory: "256Gi", gpu: 4, gpuModel: "nvidia-a100" },
    prices: { cpu: "0.02", memory: "0.004", gpu: "1.75" },
  });
  await seller.heartbeat(provider.id, { free: { cpu: 32, memory: "256Gi", gpu: 4 } });
});
afterAll(async () => {
  await consumer?.close();
  await seller?.close();
  await network?.close();
});

async function value(om: OperatorMetrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = (await om.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values as { labels: Record<string, string>; value: number }[]).find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

describe("wallet and market poller", () => {
  it("copies balance, earnings and market prices into the gauges", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    const poller = startWalletMarketPoller({ client: consumer, credential: "default", metrics: om, immediate: false });
    try {
      expect(await poller.pollOnce()).toBe(true);
    } finally {
      poller.stop();
    }
    expect(await value(om, "neoengine_wallet_balance_credits", { credential: "default", kind: "available" })).toBe(250);
    expect(await value(om, "neoengine_wallet_balance_credits", { credential: "default", kind: "escrowed" })).toBe(0);
    expect(await value(om, "neoengine_market_price_credits_per_hour", { resource: "gpu", gpu_model: "nvidia-a100", stat: "min" })).toBe(1.75);

    const providerPoller = startWalletMarketPoller({ client: seller, credential: "provider/a100-box", earnings: true, market: false, metrics: om, immediate: false });
    try {
      await providerPoller.pollOnce();
    } finally {
      providerPoller.stop();
    }
    expect(await value(om, "neoengine_wallet_earnings_credits", { credential: "provider/a100-box", kind: "total" })).toBe(0);
  });

  it("skips a round when the budget is low, and swallows errors", async () => {
    const om = createOperatorMetrics({ defaultMetrics: false });
    let calls = 0;
    const errors: unknown[] = [];
    const client = {
      getBalance: async () => {
        calls++;
        throw new Error("network down");
      },
      budget: () => ({ minute: { limit: 100, remaining: 10, resetAt: 0 }, day: { limit: 1000, remaining: 900, resetAt: 0 } }),
    };
    const poller = startWalletMarketPoller({ client, credential: "c", metrics: om, immediate: false, onError: (e) => errors.push(e) });
    try {
      expect(await poller.pollOnce()).toBe(false);
      expect(calls).toBe(0);
      client.budget = () => ({ minute: { limit: 100, remaining: 90, resetAt: 0 }, day: { limit: 1000, remaining: 900, resetAt: 0 } });
      expect(await poller.pollOnce()).toBe(true);
      expect(calls).toBe(1);
      expect(errors).toHaveLength(1);
    } finally {
      poller.stop();
    }
  });
});
