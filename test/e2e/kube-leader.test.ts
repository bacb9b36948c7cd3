// Leader election between two electors on a real Lease.
import { describe, expect, it, onTestFinished } from "vitest";
import { KubeClient, KubeLeaseStore, LeaderElector, Resources, parseMicroTime } from "../../src/kube/index.js";
import { freshNamespace, kubeConfig, waitFor } from "../helpers/cluster.js";

const RFC3339_MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const timing = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };

function candidates(ns: string, releaseOnStop = true) {
  const kube = new KubeClient(kubeConfig());
  const log: string[] = [];
  const make = (identity: string) =>
    new LeaderElector({
      ...timing,
      releaseOnStop,
      lock: new KubeLeaseStore(kube, ns, "neoengine-operator"),
      identity,
      onStartedLeading: () => void log.push(`${identity} started`),
      onStoppedLeading: () => void log.push(`${identity} stopped`),
    });
  const a = make("replica-a");
  const b = make("replica-b");
  onTestFinished(async () => {
    await a.stop();
    await b.stop();
  });
  return { kube, a, b, log };
}

describe("LeaderElector on a real Lease", () => {
  it("one of two leads; on release the other takes over", async () => {
    const ns = await freshNamespace("leader");
    const { kube, a, b, log } = candidates(ns);
    a.start();
    b.start();
    const leader = await waitFor(() => (a.isLeader() ? a : b.isLeader() ? b : undefined), { description: "a leader" });
    const follower = leader === a ? b : a;
    expect(follower.isLeader()).toBe(false);

    const lease = await kube.get<{ spec: Record<string, unknown> }>(Resources.lease, { namespace: ns, name: "neoengine-operator" });
    expect(lease.spec.renewTime).toMatch(RFC3339_MICRO);
    expect(lease.spec.acquireTime).toMatch(RFC3339_MICRO);
    expect(lease.spec.leaseDurationSeconds).toBe(3);
    // It keeps renewing while the other waits.
    const firstRenew = lease.spec.renewTime;
    await waitFor(
      async () => (await kube.get<{ spec: { renewTime: string } }>(Resources.lease, { namespace: ns, name: "neoengine-operator" })).spec.renewTime !== firstRenew,
      { description: "a renewal" },
    );
    expect(follower.isLeader()).toBe(false);

    await leader.stop();
    expect(leader.isLeader()).toBe(false);
    await waitFor(() => follower.isLeader(), { description: "hand-over after release", timeoutMs: 10_000 });
    const after = await kube.get<{ spec: { holderIdentity: string; leaseTransitions: number } }>(Resources.lease, {
      namespace: ns,
      name: "neoengine-operator",
    });
    expect(after.spec.holderIdentity).toBe(follower === a ? "replica-a" : "replica-b");
    expect(after.spec.leaseTransitions).toBe(1);
    expect(log.filter((l) => l.endsWith("started"))).toHaveLength(2);
  });

  it("a leader that vanishes without releasing is replaced after the lease expires", async () => {
    const ns = await freshNamespace("leader");
    const { a, b } = candidates(ns, false);
    a.start();
    await waitFor(() => a.isLeader(), { description: "a leads" });
    b.start();
    await a.stop(); // no release: like a killed process
    type LeaseSpec = { spec: { holderIdentity: string; renewTime: string; acquireTime: string } };
    const ref = { namespace: ns, name: "neoengine-operator" };
    const abandoned = await new KubeClient(kubeConfig()).get<LeaseSpec>(Resources.lease, ref);
    expect(abandoned.spec.holderIdentity).toBe("replica-a");
    await waitFor(() => b.isLeader(), { description: "b takes over after expiry", timeoutMs: 15_000 });
    const taken = await new KubeClient(kubeConfig()).get<LeaseSpec>(Resources.lease, ref);
    expect(taken.spec.holderIdentity).toBe("replica-b");
    // Safety, not speed: b took the lease no earlier than a full lease duration after a's last
    // renewal (both times are written by the same machine's clock into the Lease).
    expect(parseMicroTime(taken.spec.acquireTime) - parseMicroTime(abandoned.spec.renewTime)).toBeGreaterThanOrEqual(timing.leaseDurationMs);
  });
});
