import { describe, expect, it } from "vitest";
import { NeoEngineError } from "../../../src/neoengine/errors.js";
import { RateLimiter } from "../../../src/neoengine/rate-limit/limiter.js";
import { fakeTime } from "./helpers/scripted-server.js";

async function acquireN(limiter: RateLimiter, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await limiter.acquire();
}

async function refusal(p: Promise<unknown>): Promise<NeoEngineError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof NeoEngineError) return e;
    throw e;
  }
  throw new Error("expected the limiter to refuse");
}

describe("RateLimiter", () => {
  it("starts from the tier's seed budgets", () => {
    const t = fakeTime();
    expect(new RateLimiter({ tier: "free", clock: t.clock }).budget()).toEqual({
      minute: { limit: 60, remaining: 60, resetAt: null },
      day: { limit: 1000, remaining: 1000, resetAt: null },
    });
    expect(new RateLimiter({ tier: "pro", clock: t.clock }).budget().minute.limit).toBe(300);
    expect(new RateLimiter({ tier: "pro", clock: t.clock }).budget().day.limit).toBe(10_000);
    expect(new RateLimiter({ tier: "enterprise", clock: t.clock }).budget().minute).toEqual({ limit: null, remaining: null, resetAt: null });
    expect(new RateLimiter({ tier: "enterprise", limits: { perMinute: 5000 }, clock: t.clock }).budget().minute.limit).toBe(5000);
    expect(() => new RateLimiter({ limits: { perMinute: 0 } })).toThrow(/perMinute/);
  });

  it("counts requests in both windows and opens a window at the first request", async () => {
    const t = fakeTime();
    const limiter = new RateLimiter({ tier: "free", clock: t.clock, sleep: t.sleep });
    await acquireN(limiter, 10);
    expect(limiter.budget()).toEqual({
      minute: { limit: 60, remaining: 50, resetAt: t.now + 60_000 },
      day: { limit: 1000, remaining: 990, resetAt: t.now + 86_400_000 },
    });
  });

  it("refuse mode: the 61st request in a minute is refused, nothing waits", async () => {
    const t = fakeTime();
    const limiter = new RateLimiter({ tier: "free", mode: "refuse", clock: t.clock, sleep: t.sleep });
    await acquireN(limiter, 60);
    const e = await refusal(limiter.acquire());
    expect(e.code).toBe("CLIENT_RATE_LIMITED");
    expect(e.status).toBe(429);
    expect(e.retryable).toBe(true);
    expect(e.retryAfterMs).toBe(60_000);
    expect(e.message).toMatch(/minute budget of 60 requests is spent/);
    expect(t.sleeps).toEqual([]);
  });

  it("wait mode: waits exactly until the minute window resets, then continues", async () => {
    const t = fakeTime();
    const start = t.now;
    const limiter = new RateLimiter({ tier: "free", clock: t.clock, sleep: t.sleep });
    await acquireN(limiter, 25);
    t.advance(20_000);
    await acquireN(limiter, 35);
    await limiter.acquire(); // the 61st
    expect(t.sleeps).toEqual([40_000]);
    expect(t.now).toBe(start + 60_000);
    expect(limiter.budget().minute).toEqual({ limit: 60, remaining: 59, resetAt: start + 120_000 });
    expect(limiter.budget().day.remaining).toBe(1000 - 61);
  });

  it("wait mode: a spent day budget is refused instead of waiting hours", async () => {
    const t = fakeTime();
    const limiter = new RateLimiter({ tier: "free", clock: t.clock, sleep: t.sleep, maxWaitMs: 60_000 });
    for (let minute = 0; minute < 17; minute++) {
      await acquireN(limiter, Math.min(60, 1000 - minute * 60));
      t.advance(60_000);
    }
    expect(limiter.budget().day.remaining).toBe(0);
    const e = await refusal(limiter.acquire());
    expect(e.code).toBe("CLIENT_RATE_LIMITED");
    expect(e.details?.["windows"]).toEqual(["day"]);
    expect(e.retryAfterMs).toBe(86_400_000 - 17 * 60_000);
    expect(t.sleeps).toEqual([]);
  });

  it("over a simulated day, never lets more than the budgets through", async () => {
    const t = fakeTime();
    const limiter = new RateLimiter({ tier: "free", clock: t.clock, sleep: t.sleep, maxWaitMs: 60_000 });
    const sentPerMinute = new Map<number, number>();
    let sent = 0;
    const start = t.now;
    while (t.now < start + 86_400_000) {
      try {
        await limiter.acquire();
      } catch (e) {
        expect((e as NeoEngineError).code).toBe("CLIENT_RATE_LIMITED");
        break;
      }
      sent++;
      const minute = Math.floor((t.now - start) / 60_000);
      sentPerMinute.set(minute, (sentPerMinute.get(minute) ?? 0) + 1);
      t.advance(100); // a greedy caller: 600 attempts a minute
    }
    expect(sent).toBe(1000);
    expect(Math.max(...sentPerMinute.values())).toBeLessThanOrEqual(60);
  });

  it("adopts the server's headers: limit, remaining and reset (standard trio = minute, Day trio = day)", async () => {
    const t = fakeTime();
    const limiter = new RateLimiter({ tier: "free", clock: t.clock, sleep: t.sleep });
    await limiter.acquire();
    limiter.observe(
      {
        "x-ratelimit-limit": "300",
        "x-ratelimit-remaining": "12",
        "x-ratelimit-reset": "30",
        "x-ratelimit-day-limit": "10000",
        "x-ratelimit-day-remaining": "9000",
        "x-ratelimit-day-reset": "3600",
      },
      200,
    );
    expect(limiter.budget()).toEqual({
      minute: { limit: 300, remaining: 12, resetAt: t.now + 30_000 },
      day: { limit: 10_000, remaining: 9000, resetAt: t.now + 3_600_000 },
    });
  });

  it("keeps its own smaller count within the same window (requests still in flight)", async () => {
    const t = fakeTime();
    const limiter = new RateLimiter({ tier: "free", clock: t.clock, sleep: t.sleep });
    await acquireN(limiter, 10); // remaining 50 locally
    limiter.observe({ "x-ratelimit-limit": "60", "x-ratelimit-remaining": "55", "x-ratelimit-reset": "59" }, 200);
    expect(limiter.budget().minute.remaining).toBe(50);
    limiter.observe({ "x-ratelimit-limit": "60", "x-ratelimit-remaining": "3", "x-ratelimit-reset": "59" }, 200);
    expect(limiter.budget().minute.remaining).toBe(3);
  });

  it("learns enterprise limits from headers and enforces them afterwards", async () => {
    const t = fakeTime();
    const limiter = new RateLimiter({ tier: "enterprise", mode: "refuse", clock: t.clock, sleep: t.sleep });
    await acquireN(limiter, 5000); // nothing known: nothing enforced
    limiter.observe({ "x-ratelimit-limit": "2000", "x-ratelimit-remaining": "1", "x-ratelimit-reset": "10" }, 200);
    await limiter.acquire();
    const e = await refusal(limiter.acquire());
    expect(e.retryAfterMs).toBe(10_000);
    t.advance(10_000);
    await limiter.acquire();
    expect(limiter.budget().minute).toMatchObject({ limit: 2000, remaining: 1999 });
  });

  it("a 429 with headers marks the window spent until its reset", async () => {
    const t = fakeTime();
    const limiter = new RateLimiter({ tier: "pro", clock: t.clock, sleep: t.sleep });
    await limiter.acquire();
    limiter.observe({ "x-ratelimit-limit": "300", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "7" }, 429, 7_000);
    await limiter.acquire();
    expect(t.sleeps).toEqual([7_000]);
  });

  it("a 429 without headers uses Retry-After", async () => {
    const t = fakeTime();
    const limiter = new RateLimiter({ tier: "pro", clock: t.clock, sleep: t.sleep });
    await limiter.acquire();
    limiter.observe({}, 429, 4_000);
    await limiter.acquire();
    expect(t.sleeps).toEqual([4_000]);
  });

  it("a 429 without headers blocks even while the limit is unknown (enterprise)", async () => {
    const t = fakeTime();
    const limiter = new RateLimiter({ tier: "enterprise", clock: t.clock, sleep: t.sleep });
    await acquireN(limiter, 3);
    limiter.observe({}, 429, 2_000);
    await acquireN(limiter, 2);
    expect(t.sleeps).toEqual([2_000]);
  });

  it("ignores headers describing a window that is already over, and accepts epoch-second resets", async () => {
    const t = fakeTime();
    const limiter = new RateLimiter({ tier: "free", clock: t.clock, sleep: t.sleep });
    await limiter.acquire();
    limiter.observe({ "x-ratelimit-limit": "60", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(t.now / 1000) - 5) }, 200);
    expect(limiter.budget().minute.remaining).toBe(59);
    limiter.observe({ "x-ratelimit-limit": "60", "x-ratelimit-remaining": "20", "x-ratelimit-reset": String(Math.floor(t.now / 1000) + 40) }, 200);
    expect(limiter.budget().minute).toEqual({ limit: 60, remaining: 20, resetAt: t.now + 40_000 });
  });

  it("a wait can be aborted", async () => {
    const t = fakeTime();
    const limiter = new RateLimiter({ tier: "free", clock: t.clock, sleep: t.sleep });
    await acquireN(limiter, 60);
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(limiter.acquire(controller.signal)).rejects.toThrow("stop");
  });
});
