import { describe, expect, it } from "vitest";
import { NeoEngineError, RateLimiter, type Budget, type Job, type JobStatus, type ListJobsOptions, type ListJobsResponse } from "../../../src/neoengine/index.js";
import { planPollInterval } from "../../../src/operator/status/planner.js";
import { StatusPoller } from "../../../src/operator/status/poller.js";

// The status poller and its planner under a fake clock, against a simulated network that counts
// requests in the server's fixed minute and day windows and answers 429 past either limit. The
// client side is the real RateLimiter (refuse mode: a request it would have to delay throws).

const MINUTE = 60_000;
const DAY = 86_400_000;

class SimulatedNetwork {
  now = Date.parse("2026-01-15T00:00:00Z");
  readonly jobs = new Map<string, Job>();
  readonly limiter: RateLimiter;
  total = 0;
  tooMany = 0;
  maxPerMinute = 0;
  private minute = { start: -1, count: 0 };
  private day = { start: -1, count: 0 };

  constructor(readonly limits: { perMinute: number; perDay: number }) {
    this.limiter = new RateLimiter({ limits, mode: "refuse", clock: { now: () => this.now } });
  }

  /** One HTTP request as the server counts it. */
  private async hit(): Promise<void> {
    await this.limiter.acquire(); // throws CLIENT_RATE_LIMITED instead of sending a doomed request
    for (const [w, len] of [[this.minute, MINUTE], [this.day, DAY]] as const) {
      if (w.start < 0 || this.now >= w.start + len) Object.assign(w, { start: this.now, count: 0 });
      w.count++;
    }
    this.total++;
    this.maxPerMinute = Math.max(this.maxPerMinute, this.minute.count);
    if (this.minute.count > this.limits.perMinute || this.day.count > this.limits.perDay) {
      this.tooMany++;
      throw new NeoEngineError({ status: 429, code: "RATE_LIMITED", message: "slow down", retryable: true });
    }
  }

  get dayCount(): number {
    return this.day.count;
  }

  async submit(id: string): Promise<void> {
    await this.hit();
    this.jobs.set(id, { id, status: "running", progress: 0 });
  }

  client = {
    listJobs: async (q: ListJobsOptions): Promise<ListJobsResponse> => {
      await this.hit();
      const wanted = new Set(q.status as JobStatus[]);
      const all = [...this.jobs.values()].filter((j) => wanted.has(j.status));
      const start = q.cursor ? Number(q.cursor) : 0;
      const limit = q.limit ?? 20;
      const page = all.slice(start, start + limit);
      return { jobs: page, nextCursor: start + limit < all.length ? String(start + limit) : null };
    },
    getJob: async (id: string): Promise<Job> => {
      await this.hit();
      const job = this.jobs.get(id);
      if (!job) throw new NeoEngineError({ status: 404, code: "NOT_FOUND", message: "no", retryable: false });
      return job;
    },
    budget: (): Budget => this.limiter.budget(),
  };
}

function newPoller(net: SimulatedNetwork, changes: string[] = []) {
  return new StatusPoller({
    client: net.client,
    credential: "test",
    onChange: (key) => changes.push(key),
    now: () => net.now,
    minIntervalMs: 2_000,
  });
}

describe("status poll planner", () => {
  it("Free tier, one job tracked for 24 h: under 1,000 requests that day in total, no 429", async () => {
    const net = new SimulatedNetwork({ perMinute: 60, perDay: 1000 });
    const poller = newPoller(net);
    const start = net.now;
    await net.submit("job_1");
    poller.track("job_1", "ns/one");
    let polls = 0;
    while (net.now < start + DAY - 60_000) {
      net.now += poller.nextDelayMs();
      await poller.pollOnce();
      polls++;
    }
    // The job ends in the last minute of the day: one more cycle sees it leave the active list.
    net.jobs.set("job_1", { id: "job_1", status: "succeeded", progress: 100, cost: "0.5" });
    net.now += poller.nextDelayMs();
    await poller.pollOnce();
    expect(poller.observed("job_1")?.status).toBe("succeeded");
    expect(net.tooMany).toBe(0);
    expect(net.dayCount).toBeLessThan(1000);
    // ...and it still polls often enough to be useful (roughly every two minutes).
    expect(polls).toBeGreaterThan(600);
  });

  it("1,000 jobs on Pro: never over 300 requests in a minute, under 10,000 in the day, no 429", async () => {
    const net = new SimulatedNetwork({ perMinute: 300, perDay: 10_000 });
    const changes: string[] = [];
    const poller = newPoller(net, changes);
    const start = net.now;
    for (let i = 0; i < 1000; i++) {
      // Submits go as fast as the client-side limiter lets them (it refuses → wait for the reset).
      for (;;) {
        try {
          await net.submit(`job_${i}`);
          break;
        } catch (err) {
          expect((err as NeoEngineError).code).toBe("CLIENT_RATE_LIMITED");
          net.now = net.limiter.budget().minute.resetAt ?? net.now + 1000;
        }
      }
      poller.track(`job_${i}`, `ns/j${i}`);
    }
    let cycle = 0;
    while (net.now < start + DAY - 60_000) {
      net.now += poller.nextDelayMs();
      // Jobs make progress and some finish along the way.
      if (cycle % 50 === 0) for (const job of net.jobs.values()) if (job.status === "running") job.progress = Math.min(99, (job.progress ?? 0) + 1);
      if (cycle === 100) for (let i = 0; i < 100; i++) net.jobs.set(`job_${i}`, { id: `job_${i}`, status: "succeeded", cost: "1" });
      await poller.pollOnce();
      cycle++;
    }
    expect(net.tooMany).toBe(0);
    expect(net.maxPerMinute).toBeLessThanOrEqual(300);
    expect(net.dayCount).toBeLessThan(10_000);
    expect(poller.observed("job_5")?.status).toBe("succeeded");
    expect(changes).toContain("ns/j5");
    expect(cycle).toBeGreaterThan(100);
  });

  it("a spent day budget makes the poller wait for the day's reset instead of running into 429", () => {
    const now = 1_000_000;
    const plan = planPollInterval({
      budget: { minute: { limit: 60, remaining: 60, resetAt: null }, day: { limit: 1000, remaining: 3, resetAt: now + 3_600_000 } },
      activeJobs: 1,
      now,
    });
    expect(plan.limitedBy).toBe("day-exhausted");
    expect(plan.intervalMs).toBeGreaterThanOrEqual(3_600_000);
  });

  it("an unknown budget (enterprise before the first answer) polls at the minimum interval", () => {
    const plan = planPollInterval({
      budget: { minute: { limit: null, remaining: null, resetAt: null }, day: { limit: null, remaining: null, resetAt: null } },
      activeJobs: 10,
      now: 0,
      minIntervalMs: 1500,
    });
    expect(plan).toEqual({ intervalMs: 1500, requestsPerCycle: 1, limitedBy: "min-interval" });
  });
});

describe("status poll planner: large job counts", () => {
  it("spaces cycles by their page count even with an unlimited budget (10,000 jobs: 100 pages, one cycle per 20 s)", () => {
    const plan = planPollInterval({ budget: undefined, activeJobs: 10_000, now: 0, minIntervalMs: 1000 });
    expect(plan).toEqual({ intervalMs: 20_000, requestsPerCycle: 100, limitedBy: "min-interval" });
  });
});

describe("status poller", () => {
  it("batches status through one list and GETs only the job that left the active list", async () => {
    const net = new SimulatedNetwork({ perMinute: 300, perDay: 10_000 });
    const changes: string[] = [];
    const poller = newPoller(net, changes);
    for (const id of ["a", "b", "c"]) {
      await net.submit(id);
      poller.track(id, `ns/${id}`);
    }
    net.now += 1000;
    await poller.pollOnce();
    expect(poller.requests).toBe(1);
    expect(changes.sort()).toEqual(["ns/a", "ns/b", "ns/c"]);
    changes.length = 0;
    net.now += 1000;
    await poller.pollOnce();
    expect(poller.requests).toBe(2);
    expect(changes).toEqual([]); // nothing changed: nothing enqueued
    net.jobs.set("b", { id: "b", status: "failed", exitCode: 1 });
    net.jobs.get("a")!.progress = 50;
    net.now += 1000;
    await poller.pollOnce();
    expect(poller.requests).toBe(4); // one list + one GET for b
    expect(changes.sort()).toEqual(["ns/a", "ns/b"]);
    expect(poller.observed("b")?.status).toBe("failed");
  });

  it("a job seen ended is not fetched again while its reconcile is still queued", async () => {
    const net = new SimulatedNetwork({ perMinute: 300, perDay: 10_000 });
    const poller = newPoller(net);
    await net.submit("a");
    poller.track("a", "ns/a");
    net.now += 1000;
    await poller.pollOnce();
    net.jobs.set("a", { id: "a", status: "succeeded", cost: "1" });
    for (let i = 0; i < 5; i++) {
      net.now += 1000;
      await poller.pollOnce();
    }
    expect(poller.requests).toBe(1 + 5 + 1); // lists, plus exactly one GET
    expect(poller.observed("a")?.status).toBe("succeeded");
  });

  it("backs off after errors and honours Retry-After", () => {
    const net = new SimulatedNetwork({ perMinute: 300, perDay: 10_000 });
    // An enterprise credential with unknown limits: the plan alone would poll every 2 s.
    const poller = new StatusPoller({ client: { ...net.client, budget: () => undefined }, credential: "t", onChange: () => {}, now: () => net.now, minIntervalMs: 2_000 });
    poller.track("x", "ns/x");
    expect(poller.nextDelayMs()).toBe(2_000);
    const first = poller.nextDelayMs(new Error("ECONNREFUSED"));
    const second = poller.nextDelayMs(new Error("ECONNREFUSED"));
    expect(second).toBeGreaterThan(first);
    expect(poller.nextDelayMs(new NeoEngineError({ status: 429, code: "RATE_LIMITED", message: "x", retryable: true, retryAfterMs: 45_000 }))).toBeGreaterThanOrEqual(45_000);
    expect(poller.nextDelayMs()).toBe(2_000); // recovered: back to the plan
  });
});
