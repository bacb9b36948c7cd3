// Property: whatever happens to jobs (success, failure, cancel, timeout, provider loss,
// deregistration, withdrawals), money is conserved and no balance goes negative.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCreditsToMicro, parseDurationMs } from "../../../src/neoengine/wire.js";
import { call, gpuProvider, startTestNetwork, type TestNetwork } from "./helpers.js";

type Op =
  | { kind: "submit"; who: 0 | 1; cpu: number; maxPrice: string; timeout: string }
  | { kind: "schedule" }
  | { kind: "start" | "succeed" | "fail" | "results" | "cancel"; job: number }
  | { kind: "advance"; ms: number; heartbeat: boolean[] }
  | { kind: "deregister" | "reregister"; provider: number }
  | { kind: "withdraw"; amount: string }
  | { kind: "credit"; who: 0 | 1; amount: string };

const credits = (max: number) => fc.integer({ min: 1, max }).map((m) => (m / 1_000_000).toFixed(6));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("submit" as const), who: fc.constantFrom(0 as const, 1 as const), cpu: fc.integer({ min: 1, max: 8 }), maxPrice: credits(3_000_000), timeout: fc.constantFrom("30s", "5m", "1h", "90m") }) },
  { weight: 3, arbitrary: fc.constant({ kind: "schedule" as const }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("start" as const), job: fc.nat(2) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom("succeed" as const, "fail" as const, "results" as const, "cancel" as const), job: fc.nat(3) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 1, max: 40 * 60_000 }), heartbeat: fc.array(fc.constantFrom(true, true, true, false), { minLength: 2, maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("deregister" as const, "reregister" as const), provider: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), amount: credits(500_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("credit" as const), who: fc.constantFrom(0 as const, 1 as const), amount: credits(5_000_000) }) },
);

/** What the runs went through, so the test proves it exercised every lifecycle. */
const outcomes = new Set<string>();

async function checkInvariants(n: TestNetwork, tokens: string[]): Promise<void> {
  const { balances, entriesSum } = await n.server.admin.ledger();
  expect(entriesSum).toBe(0);
  expect(Object.values(balances).reduce((a, b) => a + b, 0)).toBe(0);
  for (const [account, balance] of Object.entries(balances)) {
    if (!account.startsWith("world:")) expect(balance, account).toBeGreaterThanOrEqual(0);
  }
  // each consumer's escrow is exactly maxPrice × timeout of its live jobs; costs never exceed escrow
  let totalCost = 0;
  for (const [i, token] of tokens.entries()) {
    const jobs = (await call(n.server, "GET", "/v1/jobs?limit=100", { token })).body.jobs as {
      status: string;
      maxPrice: string;
      timeout: string;
      cost: string | null;
      message: string | null;
    }[];
    let live = 0;
    for (const j of jobs) {
      outcomes.add(j.message?.startsWith("provider lost") ? "abandoned" : j.status);
      if ((parseCreditsToMicro(j.cost ?? "0") as number) > 0) outcomes.add("charged");
      const escrow = Math.ceil(((parseCreditsToMicro(j.maxPrice) as number) * (parseDurationMs(j.timeout) as number)) / 3_600_000);
      if (["pending", "scheduled", "running"].includes(j.status)) live += escrow;
      else {
        const cost = parseCreditsToMicro(j.cost ?? "0") as number;
        expect(cost).toBeLessThanOrEqual(escrow);
        totalCost += cost;
      }
    }
    expect((await n.server.admin.balances(i === 0 ? "alice" : "bob")).escrow).toBe(live);
  }
  // everything charged went to provider earnings (held or withdrawn) or fees
  const earned = (await n.server.admin.balances("acme")).earnings + (balances["world:withdrawals"] ?? 0) + (balances["platform:fees"] ?? 0);
  expect(earned).toBe(totalCost);
}

describe("ledger conservation (property)", () => {
  it("holds over random job lifecycles", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 40 }), fc.integer({ min: 0, max: 2000 }), async (ops, feeBps) => {
        const n = await startTestNetwork({ feeBasisPoints: feeBps });
        try {
          const consumers = [n.alice, n.bob];
          const providers = [
            (await call(n.server, "POST", "/v1/providers", { token: n.acme, body: gpuProvider("p0", { resources: { cpu: 8, memory: "64Gi", gpu: 0 }, prices: { cpu: "0.013", memory: "0.0071", gpu: "0" } }) })).body.id as string,
            (await call(n.server, "POST", "/v1/providers", { token: n.acme, body: gpuProvider("p1", { resources: { cpu: 4, memory: "64Gi", gpu: 0 }, prices: { cpu: "0.29", memory: "0.011", gpu: "0" } }) })).body.id as string,
          ];
          const jobs: string[] = [];
          for (const op of ops) {
            let res: Awaited<ReturnType<typeof call>> | undefined;
            // op.job counts back from the newest job, so events mostly hit live jobs
            const jobId = "job" in op ? jobs[jobs.length - 1 - (op.job % Math.max(1, jobs.length))] : undefined;
            switch (op.kind) {
              case "submit":
                res = await call(n.server, "POST", "/v1/jobs", {
                  token: consumers[op.who],
                  body: { image: "x", resources: { cpu: op.cpu, memory: "1Gi" }, maxPrice: op.maxPrice, timeout: op.timeout },
                });
                if (res.status === 201) jobs.push((res.body as { id: string }).id);
                await n.server.admin.runScheduler();
                break;
              case "schedule":
                await n.server.admin.runScheduler();
                break;
              case "start":
              case "succeed":
              case "fail":
                if (jobId) {
                  const status = op.kind === "start" ? "running" : op.kind === "succeed" ? "succeeded" : "failed";
                  res = await call(n.server, "POST", `/v1/jobs/${jobId}/events`, { token: n.acme, body: { status } });
                }
                break;
              case "results":
                if (jobId) res = await call(n.server, "PUT", `/v1/jobs/${jobId}/results`, { token: n.acme, body: { exitCode: op.job % 2 } });
                break;
              case "cancel":
                if (jobId) {
                  const owner = (await call(n.server, "GET", `/v1/jobs/${jobId}`, { token: n.alice })).status === 200 ? n.alice : n.bob;
                  res = await call(n.server, "POST", `/v1/jobs/${jobId}/cancel`, { token: owner });
                }
                break;
              case "advance":
                n.clock.advance(op.ms);
                for (const [i, beat] of op.heartbeat.entries()) {
                  if (beat) await call(n.server, "POST", `/v1/providers/${providers[i]}/heartbeat`, { token: n.acme });
                }
                await n.server.admin.runScheduler(); // expires heartbeats and timeouts
                break;
              case "deregister":
                res = await call(n.server, "DELETE", `/v1/providers/${providers[op.provider]}`, { token: n.acme });
                break;
              case "reregister":
                res = await call(n.server, "POST", "/v1/providers", { token: n.acme, body: gpuProvider(`p${op.provider}`, { resources: { cpu: 8, memory: "64Gi", gpu: 0 }, prices: { cpu: "0.05", memory: "0.001", gpu: "0" } }) });
                break;
              case "withdraw":
                res = await call(n.server, "POST", "/v1/wallet/withdraw", { token: n.acme, body: { amount: op.amount } });
                break;
              case "credit":
                await n.server.admin.credit(op.who === 0 ? "alice" : "bob", op.amount);
                break;
            }
            if (res) expect(res.status, res.text).toBeLessThan(500);
            await checkInvariants(n, consumers);
          }
        } finally {
          await n.close();
        }
      }),
      // Fixed seed: deterministic in CI, and this seed's runs reach every outcome (asserted below).
      // Explore other sequences with NEO_PROP_SEED=<n> (the outcome check may then need more runs).
      { numRuns: 30, seed: Number(process.env.NEO_PROP_SEED ?? 1) },
    );
    expect([...outcomes].sort(), [...outcomes].sort().join(",")).toEqual(
      expect.arrayContaining(["abandoned", "cancelled", "charged", "failed", "pending", "running", "scheduled", "succeeded", "timed_out"]),
    );
  });
});
