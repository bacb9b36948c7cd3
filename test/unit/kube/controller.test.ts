import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/kube/clock/fake-clock.js";
import { Controller } from "../../../src/kube/controller/controller.js";
import { done, requeueAfter, type Action } from "../../../src/kube/controller/action.js";
import { Informer } from "../../../src/kube/informer/informer.js";
import type { ListerWatcher } from "../../../src/kube/informer/lister-watcher.js";
import type { WatchEvent } from "../../../src/kube/client/kube-client.js";
import { ItemExponentialBackoff } from "../../../src/kube/workqueue/rate-limiter.js";

function staticLW(names: string[]): ListerWatcher & { emit?: (e: WatchEvent) => void } {
  const lw: ListerWatcher & { emit?: (e: WatchEvent) => void } = {
    resource: "things",
    list: async () => ({ items: names.map((n) => ({ metadata: { name: n, namespace: "ns", resourceVersion: "1" } })), resourceVersion: "1" }),
    watch: async (_rv, onEvent) => {
      lw.emit = onEvent;
      return { abort() {} };
    },
  };
  return lw;
}

function setup(reconcile: (key: string) => Promise<Action>, names = ["a"]) {
  const clock = new FakeClock(0);
  const lw = staticLW(names);
  const informer = new Informer({ listerWatcher: lw, clock, resyncPeriodMs: 0, relistPeriodMs: 0, watchInactivityTimeoutMs: 0 });
  const results: string[] = [];
  let errors = 0;
  const controller = new Controller({
    name: "things",
    informer,
    reconcile,
    clock,
    workers: 2,
    rateLimiter: new ItemExponentialBackoff(1000, 8000),
    metrics: { reconcile: (_c, r) => results.push(r), reconcileError: () => errors++ },
  });
  return { clock, lw, informer, controller, results, errors: () => errors };
}

describe("Controller", () => {
  it("reconciles every object after sync and on watch events", async () => {
    const calls: string[] = [];
    const { clock, lw, informer, controller, results } = setup(async (k) => {
      calls.push(k);
      return done();
    }, ["a", "b"]);
    informer.start();
    await controller.start();
    await clock.flush();
    expect(calls.sort()).toEqual(["ns/a", "ns/b"]);
    lw.emit!({ type: "MODIFIED", object: { metadata: { name: "a", namespace: "ns", resourceVersion: "2" } } });
    await clock.flush();
    expect(calls).toHaveLength(3);
    expect(results).toEqual(["success", "success", "success"]);
    await controller.stop();
    await informer.stop();
  });

  it("error policy: a throwing reconcile is retried with growing backoff, success resets it", async () => {
    const times: number[] = [];
    let failuresLeft = 3;
    const { clock, informer, controller, results, errors } = setup(async () => {
      times.push(clock.now());
      if (failuresLeft-- > 0) throw new Error("network down");
      return done();
    });
    informer.start();
    await controller.start();
    await clock.advance(20_000);
    expect(times).toEqual([0, 1000, 3000, 7000]);
    expect(errors()).toBe(3);
    expect(results).toEqual(["error", "error", "error", "success"]);
    expect(controller.queue.numRequeues("ns/a")).toBe(0);
    await controller.stop();
    await informer.stop();
  });

  it("requeueAfter comes back after the asked delay", async () => {
    const times: number[] = [];
    const { clock, informer, controller, results } = setup(async () => {
      times.push(clock.now());
      return times.length < 3 ? requeueAfter(5000) : done();
    });
    informer.start();
    await controller.start();
    await clock.advance(30_000);
    expect(times).toEqual([0, 5000, 10_000]);
    expect(results).toEqual(["requeue_after", "requeue_after", "success"]);
    await controller.stop();
    await informer.stop();
  });

  it("a stopped controller unhooks from the shared informer; a new one takes over", async () => {
    const calls: string[] = [];
    const { clock, lw, informer, controller } = setup(async (k) => {
      calls.push(`first ${k}`);
      return done();
    });
    informer.start();
    await controller.start();
    await clock.flush();
    await controller.stop();
    const second = new Controller({ name: "things", informer, clock, reconcile: async (k) => (calls.push(`second ${k}`), done()) });
    await second.start();
    await clock.flush();
    lw.emit!({ type: "MODIFIED", object: { metadata: { name: "a", namespace: "ns", resourceVersion: "2" } } });
    await clock.flush();
    expect(calls).toEqual(["first ns/a", "second ns/a", "second ns/a"]);
    await second.stop();
    await informer.stop();
  });

  it("stop waits for the reconcile in flight", async () => {
    let release!: () => void;
    let finished = false;
    const { clock, informer, controller } = setup(async () => {
      await new Promise<void>((r) => (release = r));
      finished = true;
      return done();
    });
    informer.start();
    await controller.start();
    await clock.flush();
    const stopping = controller.stop();
    await clock.flush();
    expect(finished).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    await informer.stop();
  });
});
