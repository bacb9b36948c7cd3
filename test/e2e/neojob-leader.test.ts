// Two operator replicas with leader election (child processes): only the leader acts; when it is
// SIGKILLed the standby takes the Lease within 20 s and carries on; nothing is submitted twice.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Resources } from "../../src/kube/index.js";
import { waitFor } from "../helpers/cluster.js";
import { createNeoJob, neoJobManifest, neoJobWorld, spawnOperator, waitForNeoJob, type NeoJobWorld } from "./neojob-harness.js";

async function holder(world: NeoJobWorld): Promise<string | undefined> {
  const lease = await world.kube.get<{ spec?: { holderIdentity?: string } }>(Resources.lease, { namespace: world.ns, name: "neoengine-operator" }).catch(() => undefined);
  return lease?.spec?.holderIdentity || undefined;
}

async function reporters(world: NeoJobWorld, names: string[]): Promise<Set<string>> {
  const events = await world.kube.list<{ reportingInstance?: string; regarding: { name: string } }>(Resources.event, { namespace: world.ns });
  return new Set(events.items.filter((e) => names.includes(e.regarding.name)).map((e) => e.reportingInstance ?? "?"));
}

describe("NeoJob operator leader election", () => {
  it("only the leader acts; killing it hands over within 20 s; nothing is submitted twice", async () => {
    const world = await neoJobWorld({ operator: false, jobDurationMs: 1000 });
    const tokenFile = join(mkdtempSync(join(tmpdir(), "neo-token-")), "token");
    writeFileSync(tokenFile, world.consumerToken);
    const args = ["--neoengine-url", world.network.url, "--token-file", tokenFile, "--namespace", world.ns, "--poll-min-interval", "300", "--tier", "enterprise", "--leader-elect", "--lease-namespace", world.ns];
    const replicas = [await spawnOperator(args), await spawnOperator(args)];
    const byIdentity = (id: string) => replicas.find((r) => id.endsWith(`-${r.child.pid}`));

    const first = await waitFor(() => holder(world), { description: "a leader holds the Lease" });
    const leader = byIdentity(first)!;
    const standby = replicas.find((r) => r !== leader)!;
    expect(leader).toBeDefined();

    const before = ["one", "two", "three"];
    for (const name of before) await createNeoJob(world, neoJobManifest(name));
    for (const name of before) await waitForNeoJob(world, name, (j) => j.status?.phase === "Succeeded", "Succeeded");
    expect(await reporters(world, before)).toEqual(new Set([first]));

    leader.kill("SIGKILL");
    await leader.exited;
    const second = await waitFor(async () => {
      const h = await holder(world);
      return h && h !== first ? h : false;
    }, { timeoutMs: 20_000, intervalMs: 200, description: "the standby takes the Lease within 20 s" });
    expect(byIdentity(second)).toBe(standby);

    const after = ["four", "five"];
    for (const name of after) await createNeoJob(world, neoJobManifest(name));
    const jobs = [];
    for (const name of [...before, ...after]) jobs.push(await waitForNeoJob(world, name, (j) => j.status?.phase === "Succeeded", "Succeeded"));
    expect(await reporters(world, after)).toEqual(new Set([second]));
    expect(new Set(jobs.map((j) => j.status?.jobId)).size).toBe(5);
    expect(jobs.every((j) => j.status?.attempts === 1)).toBe(true);
    expect(await world.network.admin.countJobs({ account: "alice" })).toBe(5);

    standby.kill("SIGTERM");
    expect((await standby.exited).code).toBe(0);
  }, 120_000);
});
