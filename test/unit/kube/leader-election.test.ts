import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/kube/clock/fake-clock.js";
import { LeaderElector } from "../../../src/kube/leader/elector.js";
import type { LeaderRecord, LeaseStore, StoredRecord } from "../../../src/kube/leader/lease-store.js";

// An in-memory Lease with resourceVersion checks, standing in for the apiserver in timing tests
// (the real Lease is exercised in test/e2e/kube-leader.test.ts).
class MemoryLease {
  record: LeaderRecord | undefined;
  rv = 0;
  writes: LeaderRecord[] = [];
  store(failing: () => boolean = () => false): LeaseStore {
    return {
      description: "memory lease",
      get: async () => {
        if (failing()) throw new Error("apiserver unreachable");
        return this.record ? { record: { ...this.record }, resourceVersion: String(this.rv) } : undefined;
      },
      create: async (r): Promise<StoredRecord | false> => {
        if (failing()) throw new Error("apiserver unreachable");
        if (this.record) return false;
        return this.write(r);
      },
      update: async (r, rv): Promise<StoredRecord | false> => {
        if (failing()) throw new Error("apiserver unreachable");
        if (String(this.rv) !== rv) return false;
        return this.write(r);
      },
    };
  }
  private write(r: LeaderRecord): StoredRecord {
    this.record = { ...r };
    this.rv++;
    this.writes.push({ ...r });
    return { record: { ...r }, resourceVersion: String(this.rv) };
  }
}

const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, random: () => 0 };

function elector(lease: MemoryLease, clock: FakeClock, identity: string, failing?: () => boolean) {
  const log: string[] = [];
  const e = new LeaderElector({
    ...timing,
    lock: lease.store(failing),
    identity,
    clock,
    onStartedLeading: () => void log.push(`start@${clock.now()}`),
    onStoppedLeading: () => void log.push(`stop@${clock.now()}`),
  });
  return { e, log };
}

describe("LeaderElector", () => {
  it("takes a free lease at once and renews it every retryPeriod", async () => {
    const clock = new FakeClock(0);
    const lease = new MemoryLease();
    const { e, log } = elector(lease, clock, "a");
    e.start();
    await clock.advance(0);
    expect(e.isLeader()).toBe(true);
    expect(log).toEqual(["start@0"]);
    expect(lease.record).toMatchObject({ holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: 0, renewTime: 0, leaseTransitions: 0 });
    await clock.advance(6_000);
    expect(lease.writes.map((w) => w.renewTime)).toEqual([0, 2000, 4000, 6000]);
    expect(lease.record?.acquireTime).toBe(0);
    await e.stop();
  });

  it("a second candidate waits a full leaseDuration (its own clock) after the holder's last renewal", async () => {
    const clock = new FakeClock(0);
    const lease = new MemoryLease();
    let aDown = false;
    const a = elector(lease, clock, "a", () => aDown);
    const b = elector(lease, clock, "b");
    a.e.start();
    await clock.advance(0);
    b.e.start();
    await clock.advance(10_000);
    expect(b.e.isLeader()).toBe(false);
    expect(a.e.isLeader()).toBe(true);
    // "a" loses the apiserver at t=10s; its last successful renewal was at t=10s.
    aDown = true;
    const lastRenew = lease.record!.renewTime;
    expect(lastRenew).toBe(10_000);
    // "a" must step down after renewDeadline, before the lease expires for others.
    await clock.advance(10_000);
    expect(a.e.isLeader()).toBe(false);
    expect(a.log).toEqual(["start@0", "stop@20000"]);
    expect(b.e.isLeader()).toBe(false);
    // "b" observes the t=10 s renewal at its next poll (every 2.4 s with this jitter) and may take
    // over only a full leaseDuration after that observation: never before t=25 s.
    await clock.advance(4_999);
    expect(b.e.isLeader()).toBe(false);
    await clock.advance(5_001);
    expect(b.e.isLeader()).toBe(true);
    const takeover = Number(b.log[0]!.split("@")[1]);
    const poll = timing.retryPeriodMs * 1.2;
    expect(takeover).toBeGreaterThanOrEqual(lastRenew + timing.leaseDurationMs);
    // At most one poll to observe the renewal and one poll of granularity after expiry.
    expect(takeover).toBeLessThanOrEqual(lastRenew + timing.leaseDurationMs + 2 * poll);
    // The gap between the old leader stopping and the new one starting is never negative.
    expect(takeover).toBeGreaterThan(20_000);
    expect(lease.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 1, acquireTime: takeover });
    await b.e.stop();
    aDown = false;
    await a.e.stop();
  });

  it("release on stop hands over at the successor's next retry, not after a lease duration", async () => {
    const clock = new FakeClock(0);
    const lease = new MemoryLease();
    const a = elector(lease, clock, "a");
    const b = elector(lease, clock, "b");
    a.e.start();
    await clock.advance(0);
    b.e.start();
    await clock.advance(3_000);
    await a.e.stop();
    expect(a.log).toEqual(["start@0", "stop@3000"]);
    expect(lease.record).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1 });
    await clock.advance(timing.retryPeriodMs * 1.2);
    expect(b.e.isLeader()).toBe(true);
    expect(Number(b.log[0]!.split("@")[1])).toBeLessThanOrEqual(3_000 + timing.retryPeriodMs * 1.2);
    await b.e.stop();
  });

  it("steps down at once when it sees another holder", async () => {
    const clock = new FakeClock(0);
    const lease = new MemoryLease();
    const a = elector(lease, clock, "a");
    a.e.start();
    await clock.advance(0);
    // Someone force-takes the lease (e.g. an admin edit).
    lease.record = { ...lease.record!, holderIdentity: "intruder", renewTime: clock.now() };
    lease.rv++;
    await clock.advance(2_000);
    expect(a.e.isLeader()).toBe(false);
    expect(a.log).toEqual(["start@0", "stop@2000"]);
    await a.e.stop();
  });

  it("two candidates racing for a free lease: exactly one wins", async () => {
    const clock = new FakeClock(0);
    const lease = new MemoryLease();
    const a = elector(lease, clock, "a");
    const b = elector(lease, clock, "b");
    a.e.start();
    b.e.start();
    await clock.advance(10_000);
    expect([a.e.isLeader(), b.e.isLeader()].filter(Boolean)).toHaveLength(1);
    await a.e.stop();
    await b.e.stop();
  });

  it("on stop, the work is stopped (awaited) before the lease is released", async () => {
    const clock = new FakeClock(0);
    const lease = new MemoryLease();
    const order: string[] = [];
    let finishWork!: () => void;
    const e = new LeaderElector({
      ...timing,
      lock: lease.store(),
      identity: "a",
      clock,
      onStoppedLeading: () =>
        new Promise<void>((r) => {
          order.push(`stopping work; holder=${lease.record?.holderIdentity}`);
          finishWork = () => {
            order.push("work stopped");
            r();
          };
        }),
    });
    e.start();
    await clock.advance(0);
    const stopped = e.stop();
    await clock.flush();
    expect(lease.record?.holderIdentity).toBe("a"); // not released while work still runs
    finishWork();
    await stopped;
    expect(order).toEqual(["stopping work; holder=a", "work stopped"]);
    expect(lease.record?.holderIdentity).toBe("");
  });

  it("refuses inconsistent timing", () => {
    const lease = new MemoryLease();
    expect(() => new LeaderElector({ lock: lease.store(), identity: "a", leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow(/leaseDuration/);
    expect(() => new LeaderElector({ lock: lease.store(), identity: "a", renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toThrow(/renewDeadline/);
    expect(() => new LeaderElector({ lock: lease.store(), identity: "" })).toThrow(/identity/);
  });
});
