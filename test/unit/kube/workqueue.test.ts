import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/kube/clock/fake-clock.js";
import {
  ItemExponentialBackoff,
  MaxOfRateLimiter,
  TokenBucket,
  defaultControllerRateLimiter,
} from "../../../src/kube/workqueue/rate-limiter.js";
import { WorkQueue, runWorkers } from "../../../src/kube/workqueue/workqueue.js";

function queue(clock = new FakeClock()) {
  const counts = { adds: 0, retries: 0, depth: [] as number[], queueDurations: [] as number[], workDurations: [] as number[] };
  const q = new WorkQueue({
    name: "test",
    clock,
    rateLimiter: new ItemExponentialBackoff(100, 1000),
    metrics: {
      add: () => counts.adds++,
      retry: () => counts.retries++,
      depth: (_n, d) => counts.depth.push(d),
      queueDuration: (_n, s) => counts.queueDurations.push(s),
      workDuration: (_n, s) => counts.workDurations.push(s),
    },
  });
  return { q, clock, counts };
}

describe("WorkQueue", () => {
  it("dedupes a key that is already waiting", async () => {
    const { q, counts } = queue();
    q.add("a");
    q.add("a");
    q.add("b");
    q.add("a");
    expect(q.len()).toBe(2);
    expect(counts.adds).toBe(2);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBe("b");
    expect(q.len()).toBe(0);
  });

  it("never hands a key to two workers, and re-runs a key added while it was processed", async () => {
    const { q } = queue();
    q.add("a");
    const first = await q.get();
    expect(first).toBe("a");
    q.add("a"); // arrives while "a" is in flight
    expect(q.len()).toBe(0); // held back, not handed to a second worker
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await new Promise((r) => setImmediate(r));
    expect(second).toBeUndefined();
    q.done("a");
    await new Promise((r) => setImmediate(r));
    expect(second).toBe("a");
    q.done("a");
    expect(q.len()).toBe(0);
    expect(q.inFlight()).toBe(0);
  });

  it("addAfter delivers at the earliest requested time, once", async () => {
    const { q, clock } = queue();
    q.addAfter("a", 1000);
    q.addAfter("a", 300);
    q.addAfter("a", 5000);
    expect(q.delayed()).toBe(1);
    await clock.advance(299);
    expect(q.len()).toBe(0);
    await clock.advance(1);
    expect(q.len()).toBe(1);
    await clock.advance(10_000);
    expect(q.len()).toBe(1);
  });

  it("records how long a key waited and how long it was worked on", async () => {
    const { q, clock, counts } = queue();
    q.add("a");
    await clock.advance(250);
    const key = (await q.get())!;
    await clock.advance(1500);
    q.done(key);
    expect(counts.queueDurations).toEqual([0.25]);
    expect(counts.workDurations).toEqual([1.5]);
  });

  it("backs off a failing key exponentially up to the cap, and forget resets it", async () => {
    const { q, clock, counts } = queue();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const start = clock.now();
      q.addRateLimited("a");
      while (q.len() === 0) await clock.advance(1);
      delays.push(clock.now() - start);
      q.done((await q.get())!);
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(q.numRequeues("a")).toBe(6);
    expect(counts.retries).toBe(6);
    q.forget("a");
    expect(q.numRequeues("a")).toBe(0);
    const start = clock.now();
    q.addRateLimited("a");
    while (q.len() === 0) await clock.advance(1);
    expect(clock.now() - start).toBe(100);
  });

  it("shutdown wakes waiting workers and refuses new work", async () => {
    const { q } = queue();
    const waiting = q.get();
    await q.shutdown();
    expect(await waiting).toBeUndefined();
    q.add("a");
    expect(q.len()).toBe(0);
    expect(await q.get()).toBeUndefined();
  });

  it("shutdown with drain waits for in-flight work", async () => {
    const { q } = queue();
    q.add("a");
    const key = (await q.get())!;
    let drained = false;
    const shutdown = q.shutdown(true).then(() => (drained = true));
    await new Promise((r) => setImmediate(r));
    expect(drained).toBe(false);
    q.done(key);
    await shutdown;
    expect(drained).toBe(true);
  });
});

describe("rate limiters", () => {
  it("token bucket: burst is free, then one token per 1/qps", () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(10, 3, clock);
    expect([bucket.when(), bucket.when(), bucket.when()]).toEqual([0, 0, 0]);
    // Reservations queue up: the 4th waits 100 ms, the 5th 200 ms.
    expect(bucket.when()).toBe(100);
    expect(bucket.when()).toBe(200);
  });

  it("token bucket refills with time but never above the burst", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(10, 2, clock);
    bucket.when();
    bucket.when();
    await clock.advance(60_000);
    expect([bucket.when(), bucket.when(), bucket.when()]).toEqual([0, 0, 100]);
  });

  it("the global limit holds across many distinct keys", () => {
    const clock = new FakeClock();
    const limiter = new MaxOfRateLimiter(new ItemExponentialBackoff(5, 1000), new TokenBucket(10, 100, clock));
    const delays = Array.from({ length: 150 }, (_, i) => limiter.when(`key-${i}`));
    // Each key is on its first failure (5 ms), but keys 101..150 wait for tokens at 10/s.
    expect(delays.slice(0, 100).every((d) => d === 5)).toBe(true);
    expect(delays[100]).toBe(100);
    expect(delays[149]).toBe(5000);
  });

  it("the default limiter combines per-item backoff and the global bucket", () => {
    const limiter = defaultControllerRateLimiter(new FakeClock(), { baseDelayMs: 10, maxDelayMs: 80, qps: 1000, burst: 1000 });
    expect([1, 2, 3, 4, 5].map(() => limiter.when("x"))).toEqual([10, 20, 40, 80, 80]);
    expect(limiter.retries("x")).toBe(5);
  });
});

describe("runWorkers", () => {
  it("processes with N workers in parallel, each key by one worker at a time", async () => {
    const { q } = queue();
    let active = 0;
    let maxActive = 0;
    const seen: string[] = [];
    const activeKeys = new Set<string>();
    let overlapped = false;
    const releases: Array<() => void> = [];
    const workers = runWorkers(q, 3, async (key) => {
      active++;
      maxActive = Math.max(maxActive, active);
      if (activeKeys.has(key)) overlapped = true;
      activeKeys.add(key);
      seen.push(key);
      await new Promise<void>((r) => releases.push(r));
      activeKeys.delete(key);
      active--;
    });
    for (const k of ["a", "b", "c", "d", "a"]) q.add(k);
    await new Promise((r) => setImmediate(r));
    expect(active).toBe(3);
    expect(seen.sort()).toEqual(["a", "b", "c"]);
    while (releases.length) {
      releases.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    expect(maxActive).toBe(3);
    expect(overlapped).toBe(false);
    // The second "a" arrived while the first was in flight: it runs again afterwards, once.
    expect(seen.sort()).toEqual(["a", "a", "b", "c", "d"]);
    await q.shutdown();
    await workers;
  });

  it("a throwing handler does not wedge the key", async () => {
    const { q } = queue();
    let calls = 0;
    const workers = runWorkers(q, 1, async () => {
      calls++;
      throw new Error("boom");
    });
    q.add("a");
    await new Promise((r) => setImmediate(r));
    q.add("a");
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(2);
    await q.shutdown();
    await workers;
  });
});
