import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/kube/clock/fake-clock.js";
import type { WatchEvent } from "../../../src/kube/client/kube-client.js";
import { KubeApiError } from "../../../src/kube/client/errors.js";
import { Informer } from "../../../src/kube/informer/informer.js";
import type { ListerWatcher } from "../../../src/kube/informer/lister-watcher.js";
import type { KubeObject } from "../../../src/kube/informer/types.js";

// The informer's loop logic, driven by a scripted lister-watcher and a fake clock. The real
// apiserver is exercised in test/e2e/kube-informer.test.ts.

function obj(name: string, rv: number, extra: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name, namespace: "ns", resourceVersion: String(rv), managedFields: [{}] }, ...extra };
}

class ScriptedLW implements ListerWatcher {
  readonly resource = "things";
  objects = new Map<string, KubeObject>();
  rv = 100;
  listCalls = 0;
  watchCalls: string[] = [];
  failLists = 0;
  /** What the next watch() does. */
  nextWatch: "ok" | "gone" | "error" = "ok";
  private emit: ((e: WatchEvent) => void) | undefined;
  private end: ((err: unknown) => void) | undefined;

  async list() {
    this.listCalls++;
    if (this.failLists > 0) {
      this.failLists--;
      throw new KubeApiError(500, "InternalError", "boom");
    }
    return { items: [...this.objects.values()].map((o) => structuredClone(o)), resourceVersion: String(this.rv) };
  }
  async watch(rv: string, onEvent: (e: WatchEvent) => void, onDone: (err: unknown) => void) {
    this.watchCalls.push(rv);
    const mode = this.nextWatch;
    this.nextWatch = "ok";
    if (mode === "gone") {
      queueMicrotask(() => onEvent({ type: "ERROR", object: { kind: "Status", code: 410, message: "too old resource version" } }));
    } else if (mode === "error") {
      queueMicrotask(() => onDone(new KubeApiError(500, "InternalError", "watch failed")));
    } else {
      this.emit = onEvent;
      this.end = onDone;
    }
    return { abort: () => void (this.emit = undefined) };
  }
  /** Server-side change, delivered to the open watch when `deliver`. */
  change(type: "ADDED" | "MODIFIED" | "DELETED", name: string, deliver = true) {
    this.rv++;
    const o = obj(name, this.rv);
    if (type === "DELETED") this.objects.delete(name);
    else this.objects.set(name, o);
    if (deliver) this.emit?.({ type, object: structuredClone(o) });
  }
  bookmark() {
    this.emit?.({ type: "BOOKMARK", object: { metadata: { resourceVersion: String(++this.rv) } } });
  }
  closeWatch() {
    this.end?.(null);
  }
}

function setup(opts: Partial<ConstructorParameters<typeof Informer>[0]> = {}) {
  const clock = new FakeClock(0);
  const lw = new ScriptedLW();
  const events: string[] = [];
  const inf = new Informer({ listerWatcher: lw, clock, resyncPeriodMs: 0, relistPeriodMs: 0, watchInactivityTimeoutMs: 60_000, ...opts });
  inf.addEventHandler({
    onAdd: (o) => events.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    onUpdate: (a, b) => events.push(`update ${b.metadata.name}@${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
    onDelete: (o) => events.push(`delete ${o.metadata.name}`),
  });
  return { clock, lw, events, inf };
}

describe("Informer", () => {
  it("lists, then watches from the list's resourceVersion, and keeps its cache in step", async () => {
    const { clock, lw, events, inf } = setup();
    lw.change("ADDED", "a", false);
    inf.start();
    await inf.waitForSync();
    await clock.flush();
    expect(lw.watchCalls).toEqual(["101"]);
    lw.change("ADDED", "b");
    lw.change("MODIFIED", "a");
    lw.change("DELETED", "b");
    expect(events).toEqual(["add a@101", "add b@102", "update a@101->103", "delete b"]);
    expect(inf.store.keys()).toEqual(["ns/a"]);
    expect(inf.store.get("ns/a")!.metadata.managedFields).toBeUndefined();
    lw.bookmark();
    expect(inf.resourceVersion()).toBe("105");
    await inf.stop();
  });

  it("on 410 Gone relists and delivers what the watch missed as add/update/delete", async () => {
    const { clock, lw, events, inf } = setup();
    lw.change("ADDED", "keep", false);
    lw.change("ADDED", "gone", false);
    lw.change("ADDED", "edit", false);
    inf.start();
    await inf.waitForSync();
    await clock.flush();
    events.length = 0;
    // Changes the watch never delivers (say, while disconnected)...
    lw.change("DELETED", "gone", false);
    lw.change("MODIFIED", "edit", false);
    lw.change("ADDED", "new", false);
    // ...and the resumed watch is told its resourceVersion is too old.
    lw.nextWatch = "gone";
    inf.restartWatch("1");
    await clock.advance(0);
    expect(lw.listCalls).toBe(2);
    expect(inf.stats.expired).toBe(1);
    expect(events.sort()).toEqual(["add new@106", "delete gone", "update edit@103->105"]);
    expect(inf.store.keys().sort()).toEqual(["ns/edit", "ns/keep", "ns/new"]);
    expect(lw.watchCalls.at(-1)).toBe("106");
    await inf.stop();
  });

  it("restarts a failed watch from the last resourceVersion with growing backoff", async () => {
    const { clock, lw, inf } = setup({ backoffInitialMs: 1000, backoffMaxMs: 4000 });
    inf.start();
    await inf.waitForSync();
    await clock.flush();
    lw.change("ADDED", "a");
    lw.nextWatch = "error";
    lw.closeWatch(); // clean close → immediate re-watch, which fails
    await clock.flush();
    expect(lw.watchCalls).toEqual(["100", "101"]);
    lw.nextWatch = "error";
    await clock.advance(1000); // first backoff ≤ 1 s (jittered)
    expect(lw.watchCalls).toHaveLength(3);
    await clock.advance(2000); // second ≤ 2 s
    expect(lw.watchCalls).toEqual(["100", "101", "101", "101"]);
    expect(lw.listCalls).toBe(1); // errors other than 410 do not relist
    expect(inf.stats.errors).toBe(2);
    await inf.stop();
  });

  it("retries a failing initial list with backoff and only then reports synced", async () => {
    const { clock, lw, inf } = setup({ backoffInitialMs: 500 });
    lw.failLists = 2;
    inf.start();
    await clock.flush();
    expect(inf.hasSynced()).toBe(false);
    await clock.advance(500);
    expect(inf.hasSynced()).toBe(false);
    await clock.advance(1000);
    expect(inf.hasSynced()).toBe(true);
    expect(lw.listCalls).toBe(3);
    await inf.stop();
  });

  it("the inactivity watchdog restarts a silent watch; bookmarks count as activity", async () => {
    const { clock, lw, inf } = setup({ watchInactivityTimeoutMs: 60_000 });
    inf.start();
    await inf.waitForSync();
    await clock.advance(50_000);
    lw.bookmark();
    await clock.advance(50_000);
    expect(lw.watchCalls).toHaveLength(1);
    await clock.advance(10_000);
    expect(lw.watchCalls).toHaveLength(2);
    expect(lw.watchCalls[1]).toBe("101");
    expect(inf.stats.inactivityRestarts).toBe(1);
    await inf.stop();
  });

  it("periodic relist and resync", async () => {
    const { clock, lw, events, inf } = setup({ relistPeriodMs: 30_000, resyncPeriodMs: 20_000, watchInactivityTimeoutMs: 0 });
    lw.change("ADDED", "a", false);
    inf.start();
    await inf.waitForSync();
    events.length = 0;
    await clock.advance(20_000);
    expect(events).toEqual(["update a@101->101"]); // resync re-delivers the cached object
    lw.change("ADDED", "missed", false);
    await clock.advance(10_000);
    expect(lw.listCalls).toBe(2);
    expect(events).toContain("add missed@102");
    await inf.stop();
  });

  it("drops a replayed event the cache already has", async () => {
    const { clock, lw, events, inf } = setup();
    lw.change("ADDED", "a", false);
    inf.start();
    await inf.waitForSync();
    await clock.flush();
    lw.change("MODIFIED", "a");
    const again = structuredClone(lw.objects.get("a")!);
    (inf as unknown as { apply(e: WatchEvent): void }).apply({ type: "MODIFIED", object: again });
    expect(events.filter((e) => e.startsWith("update"))).toHaveLength(1);
    await inf.stop();
  });

  it("late handlers get the cached objects as adds", async () => {
    const { lw, inf } = setup();
    lw.change("ADDED", "a", false);
    inf.start();
    await inf.waitForSync();
    const late: string[] = [];
    inf.addEventHandler({ onAdd: (o) => late.push(o.metadata.name) });
    expect(late).toEqual(["a"]);
    await inf.stop();
  });
});
