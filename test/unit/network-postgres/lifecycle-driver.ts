// Drives job lifecycles (success, failure, cancel, timeout, provider loss, deregistration,
// withdrawals, credits) through the HTTP API and checks the ledger invariants after every step:
// money is conserved, no balance but world:* goes negative, escrow equals maxPrice × timeout of
// the live jobs, every charge went to earnings, withdrawals or fees. The same invariants as
// test/unit/network/ledger-property.test.ts, whose driver is not exported; here the ops name
// jobs by absolute index so a fixed script can reach every outcome deterministically.
import { expect } from "vitest";
import { parseCreditsToMicro, parseDurationMs } from "../../../src/neoengine/wire.js";
import { call, gpuProvider, type Res, type TestNetwork } from "../network/helpers.js";

export type Op =
  | { kind: "submit"; who: 0 | 1; cpu: number; maxPrice: string; timeout: string }
  | { kind: "schedule" }
  | { kind: "start" | "succeed" | "fail" | "results" | "cancel"; job: number }
  | { kind: "advance"; ms: number; heartbeat: [boolean, boolean] }
  | { kind: "deregister" | "reregister"; provider: 0 | 1 }
  | { kind: "withdraw"; amount: string }
  | { kind: "credit"; who: 0 | 1; amount: string };

const providerBody = (i: 0 | 1) =>
  gpuProvider(`p${i}`, {
    resources: { cpu: i === 0 ? 8 : 4, memory: "64Gi", gpu: 0 },
    prices: i === 0 ? { cpu: "0.013", memory: "0.0071", gpu: "0" } : { cpu: "0.29", memory: "0.011", gpu: "0" },
  });

export class LifecycleDriver {
  readonly jobs: string[] = [];
  readonly providers: string[] = [];
  /** Every outcome seen, so a test can prove it exercised each lifecycle. */
  readonly outcomes = new Set<string>();
  constructor(private readonly n: TestNetwork) {}

  async registerProviders(): Promise<void> {
    for (const i of [0, 1] as const) {
      const res = await call(this.n.server, "POST", "/v1/providers", { token: this.n.acme, body: providerBody(i) });
      expect(res.status, res.text).toBe(201);
      this.providers.push(res.body.id as string);
    }
  }

  async apply(op: Op): Promise<void> {
    const { server } = this.n;
    const consumers = [this.n.alice, this.n.bob];
    const jobId = "job" in op && this.jobs.length > 0 ? this.jobs[op.job % this.jobs.length] : undefined;
    let res: Res | undefined;
    switch (op.kind) {
      case "submit":
        res = await call(server, "POST", "/v1/jobs", {
          token: consumers[op.who],
          body: { image: "x", resources: { cpu: op.cpu, memory: "1Gi" }, maxPrice: op.maxPrice, timeout: op.timeout },
        });
        if (res.status === 201) this.jobs.push((res.body as { id: string }).id);
        break;
      case "schedule":
        await server.admin.runScheduler();
        break;
      case "start":
      case "succeed":
      case "fail":
        if (jobId) {
          const status = op.kind === "start" ? "running" : op.kind === "succeed" ? "succeeded" : "failed";
          res = await call(server, "POST", `/v1/jobs/${jobId}/events`, { token: this.n.acme, body: { status } });
        }
        break;
      case "results":
        if (jobId) res = await call(server, "PUT", `/v1/jobs/${jobId}/results`, { token: this.n.acme, body: { exitCode: op.job % 2 } });
        break;
      case "cancel":
        if (jobId) {
          const owner = (await call(server, "GET", `/v1/jobs/${jobId}`, { token: this.n.alice })).status === 200 ? this.n.alice : this.n.bob;
          res = await call(server, "POST", `/v1/jobs/${jobId}/cancel`, { token: owner });
        }
        break;
      case "advance":
        this.n.clock.advance(op.ms);
        for (const [i, beat] of op.heartbeat.entries()) {
          if (beat) await call(server, "POST", `/v1/providers/${this.providers[i]}/heartbeat`, { token: this.n.acme });
        }
        await server.admin.runScheduler(); // expires heartbeats and timeouts
        break;
      case "deregister":
        res = await call(server, "DELETE", `/v1/providers/${this.providers[op.provider]}`, { token: this.n.acme });
        break;
      case "reregister":
        res = await call(server, "POST", "/v1/providers", { token: this.n.acme, body: providerBody(op.provider) });
        break;
      case "withdraw":
        res = await call(server, "POST", "/v1/wallet/withdraw", { token: this.n.acme, body: { amount: op.amount } });
        break;
      case "credit":
        await server.admin.credit(op.who === 0 ? "alice" : "bob", op.amount);
        break;
    }
    if (res) expect(res.status, `${op.kind}: ${res.text}`).toBeLessThan(500);
    await this.checkInvariants();
  }

  async checkInvariants(): Promise<void> {
    const { server } = this.n;
    const { balances, entriesSum } = await server.admin.ledger();
    expect(entriesSum).toBe(0);
    expect(Object.values(balances).reduce((a, b) => a + b, 0)).toBe(0);
    for (const [account, balance] of Object.entries(balances)) {
      if (!account.startsWith("world:")) expect(balance, account).toBeGreaterThanOrEqual(0);
    }
    let totalCost = 0;
    for (const [i, token] of [this.n.alice, this.n.bob].entries()) {
      const jobs = (await call(server, "GET", "/v1/jobs?limit=100", { token })).body.jobs as {
        status: string;
        maxPrice: string;
        timeout: string;
        cost: string | null;
        message: string | null;
      }[];
      let live = 0;
      for (const j of jobs) {
        this.outcomes.add(j.message?.startsWith("provider lost") ? "abandoned" : j.status);
        if ((parseCreditsToMicro(j.cost ?? "0") as number) > 0) this.outcomes.add("charged");
        const escrow = Math.ceil(((parseCreditsToMicro(j.maxPrice) as number) * (parseDurationMs(j.timeout) as number)) / 3_600_000);
        if (["pending", "scheduled", "running"].includes(j.status)) live += escrow;
        else {
          const cost = parseCreditsToMicro(j.cost ?? "0") as number;
          expect(cost).toBeLessThanOrEqual(escrow);
          totalCost += cost;
        }
      }
      expect((await server.admin.balances(i === 0 ? "alice" : "bob")).escrow).toBe(live);
    }
    const earned = (await server.admin.balances("acme")).earnings + (balances["world:withdrawals"] ?? 0) + (balances["platform:fees"] ?? 0);
    expect(earned).toBe(totalCost);
  }
}

const beat = (a: boolean, b: boolean): [boolean, boolean] => [a, b];

/**
 * A fixed script that reaches every outcome: charged success, failure, cancel while pending and
 * while running, timeout, provider loss (running job abandoned, scheduled job requeued and
 * scheduled again elsewhere), deregistration, withdrawal and credit. Jobs by absolute index.
 */
export const SCRIPT: Op[] = [
  // 0: alice, succeeds after 10 minutes on p0 (the cheaper provider)
  { kind: "submit", who: 0, cpu: 2, maxPrice: "1.0", timeout: "1h" },
  { kind: "schedule" },
  { kind: "start", job: 0 },
  { kind: "advance", ms: 10 * 60_000, heartbeat: beat(true, true) },
  { kind: "succeed", job: 0 },
  // 1: bob, fails after 5 minutes
  { kind: "submit", who: 1, cpu: 4, maxPrice: "0.5", timeout: "5m" },
  { kind: "schedule" },
  { kind: "start", job: 1 },
  { kind: "advance", ms: 2 * 60_000, heartbeat: beat(true, true) },
  { kind: "fail", job: 1 },
  // 2: cancelled while pending (too big for any provider: 16 cores)
  { kind: "submit", who: 0, cpu: 16, maxPrice: "0.2", timeout: "90m" },
  { kind: "schedule" },
  { kind: "cancel", job: 2 },
  // 3: times out (30 s) while running
  { kind: "submit", who: 1, cpu: 1, maxPrice: "2.5", timeout: "30s" },
  { kind: "schedule" },
  { kind: "start", job: 3 },
  { kind: "advance", ms: 45_000, heartbeat: beat(true, true) },
  // 4: running and 5: scheduled on p0 when p0 misses its heartbeats → 4 abandoned, 5 requeued
  { kind: "submit", who: 0, cpu: 4, maxPrice: "0.3", timeout: "1h" },
  { kind: "submit", who: 1, cpu: 3, maxPrice: "1.0", timeout: "1h" },
  { kind: "schedule" },
  { kind: "start", job: 4 },
  { kind: "advance", ms: 60_000, heartbeat: beat(false, true) },
  // 5 goes to p1 (p0 is offline) and is cancelled while running: charged its runtime
  { kind: "schedule" },
  { kind: "start", job: 5 },
  { kind: "advance", ms: 20_000, heartbeat: beat(false, true) },
  { kind: "cancel", job: 5 },
  // p0 comes back; 6 runs there and finishes through PUT results; the provider withdraws
  { kind: "reregister", provider: 0 },
  { kind: "submit", who: 0, cpu: 8, maxPrice: "0.6", timeout: "2h" },
  { kind: "schedule" },
  { kind: "start", job: 6 },
  { kind: "advance", ms: 25_000, heartbeat: beat(true, true) },
  { kind: "results", job: 6 },
  { kind: "withdraw", amount: "0.001" },
  { kind: "credit", who: 1, amount: "3.25" },
  // 7: running on p0 when p0 deregisters
  { kind: "submit", who: 1, cpu: 2, maxPrice: "0.7", timeout: "1h" },
  { kind: "schedule" },
  { kind: "start", job: 7 },
  { kind: "deregister", provider: 0 },
  // 8: pending, then scheduled on p1 and left there
  { kind: "submit", who: 0, cpu: 1, maxPrice: "0.9", timeout: "1h" },
  { kind: "schedule" },
];
