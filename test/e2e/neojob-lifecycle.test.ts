// The NeoJob loop end to end: real apiserver, the reference network in this process, the
// simulated provider, and the operator (in this process). Also: failures with their reasons,
// per-NeoJob credentials with rotation, deletion (Cancel / Orphan), and no token anywhere.
import { describe, expect, it } from "vitest";
import type { NeoJob } from "../../src/api/index.js";
import { Resources, type WatchHandle } from "../../src/kube/index.js";
import { kubectl, waitFor } from "../helpers/cluster.js";
import { condition, createNeoJob, getNeoJob, neoJobManifest, neoJobWorld, waitForNeoJob } from "./neojob-harness.js";

describe("NeoJob lifecycle", () => {
  it("Pending → Submitted → Running (progress mirrored) → Succeeded with cost; kubectl wait --for=condition=Complete", async () => {
    const world = await neoJobWorld({ jobDurationMs: 4000 });
    const seen: Array<{ phase?: string; progress?: number }> = [];
    const handle: WatchHandle = await world.kube.watch(
      Resources.neoJob,
      { namespace: world.ns },
      (e) => {
        const status = (e.object as { status?: NeoJob["status"] }).status;
        if (status?.phase) seen.push({ phase: status.phase, progress: status.progress });
      },
      () => {},
    );
    try {
      await createNeoJob(world, neoJobManifest("hello", { output: { configMapName: "hello-results" } }));
      const waited = await kubectl(["wait", "-n", world.ns, "--for=condition=Complete", "neojob/hello", "--timeout=60s"]);
      expect(waited.code, waited.stderr).toBe(0);
    } finally {
      handle.abort();
    }
    const job = await getNeoJob(world, "hello");
    expect(job.status?.phase).toBe("Succeeded");
    expect(job.status?.provider).toBe(world.provider.id);
    expect(Number(job.status?.cost)).toBeGreaterThan(0);
    expect(job.status?.completedAt).toBeTruthy();
    expect(job.status?.startedAt).toBeTruthy();
    expect(job.status?.attempts).toBe(1);
    expect(job.status?.observedGeneration).toBe(job.metadata.generation);
    expect(condition(job, "Synced")?.status).toBe("True");
    // The phases in order, with intermediate progress mirrored while Running.
    const phases = seen.map((s) => s.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases[0]).toBe("Pending");
    expect(phases).toContain("Submitted");
    expect(phases.indexOf("Running")).toBeGreaterThan(phases.indexOf("Submitted"));
    expect(phases.at(-1)).toBe("Succeeded");
    expect(seen.some((s) => s.phase === "Running" && s.progress !== undefined && s.progress > 0 && s.progress < 100)).toBe(true);
    // The remote job agrees, and exactly one was made.
    expect(await world.network.admin.countJobs({ account: "alice" })).toBe(1);
    // Results in the ConfigMap, an Event per phase change.
    const cm = await world.kube.get<{ data: Record<string, string> }>(Resources.configMap, { namespace: world.ns, name: "hello-results" });
    expect(cm.data.jobId).toBe(job.status?.jobId);
    expect(cm.data.exitCode).toBe("0");
    expect(Buffer.from(JSON.parse(cm.data["results.json"]!).outputs[0].contentBase64, "base64").toString()).toBe("Hello\n");
    const events = await waitFor(
      async () => {
        const list = await world.kube.list<{ reason: string; regarding: { name: string } }>(Resources.event, { namespace: world.ns });
        const reasons = list.items.filter((e) => e.regarding.name === "hello").map((e) => e.reason);
        return ["Submitted", "Running", "Succeeded", "ResultsStored"].every((r) => reasons.includes(r)) ? reasons : false;
      },
      { description: "an Event per phase change" },
    );
    expect(events).toContain("Succeeded");
    const printed = await kubectl(["get", "nj", "hello", "-n", world.ns]);
    expect(printed.stdout).toMatch(/hello\s+Succeeded\s+100/);
  });

  it("a failing job ends Failed with the reason; a job nobody can afford fails with INSUFFICIENT_FUNDS", async () => {
    const world = await neoJobWorld({ jobDurationMs: 500 });
    await createNeoJob(world, neoJobManifest("fails", { env: [{ name: "NEO_SIM_EXIT_CODE", value: "3" }] }));
    // maxPrice × timeout = 5000 × 1 h is held in escrow: more than the account's 1000 credits.
    await createNeoJob(world, neoJobManifest("too-expensive", { maxPrice: "5000" }));
    const failed = await waitForNeoJob(world, "fails", (j) => j.status?.phase === "Failed", "Failed");
    expect(condition(failed, "Failed")).toMatchObject({ status: "True", reason: "ProviderFailed" });
    expect(failed.status?.message).toContain("exit code 3");
    const poor = await waitForNeoJob(world, "too-expensive", (j) => j.status?.phase === "Failed", "Failed");
    expect(condition(poor, "Synced")).toMatchObject({ status: "False", reason: "INSUFFICIENT_FUNDS" });
    expect(condition(poor, "Failed")?.reason).toBe("INSUFFICIENT_FUNDS");
    expect(poor.status?.jobId).toBeUndefined();
    expect(await world.network.admin.countJobs({ account: "alice" })).toBe(1);
  });

  it("deleting a running NeoJob cancels it remotely; with deletionPolicy Orphan the remote job keeps running", async () => {
    const world = await neoJobWorld({ jobDurationMs: 60_000 });
    await createNeoJob(world, neoJobManifest("cancel-me"));
    await createNeoJob(world, neoJobManifest("orphan-me", { deletionPolicy: "Orphan" }));
    const a = await waitForNeoJob(world, "cancel-me", (j) => j.status?.phase === "Running", "Running");
    const b = await waitForNeoJob(world, "orphan-me", (j) => j.status?.phase === "Running", "Running");
    const del = await kubectl(["delete", "-n", world.ns, "neojob/cancel-me", "neojob/orphan-me", "--wait=true", "--timeout=60s"]);
    expect(del.code, del.stderr).toBe(0);
    const consumer = { token: world.consumerToken };
    const { NeoEngineClient } = await import("../../src/neoengine/index.js");
    const client = new NeoEngineClient({ baseUrl: `${world.network.url}/v1`, token: consumer.token, rateLimiter: false });
    try {
      expect((await client.getJob(a.status!.jobId!)).status).toBe("cancelled");
      expect((await client.getJob(b.status!.jobId!)).status).toBe("running");
    } finally {
      await client.close();
    }
  });

  it("per-NeoJob credentials come from its own namespace; a rotated token is picked up; no token in logs, events, status or metrics", async () => {
    const world = await neoJobWorld({ jobDurationMs: 500 });
    await world.network.admin.createAccount("bob", "enterprise", "100");
    const bobToken = await world.network.admin.createToken("bob");
    const secret = (token: string) => ({ metadata: { name: "bob-token", namespace: world.ns }, stringData: { token } });
    await world.kube.create(Resources.secret, secret("neo_not-a-valid-token-0000"), world.ns);
    await createNeoJob(world, neoJobManifest("bobs-job", { credentialsSecretRef: { name: "bob-token" } }));
    await createNeoJob(world, neoJobManifest("no-secret", { credentialsSecretRef: { name: "missing" } }));
    const unauthorized = await waitForNeoJob(world, "bobs-job", (j) => condition(j, "Synced")?.reason === "UNAUTHORIZED", "Synced=False UNAUTHORIZED");
    expect(unauthorized.status?.phase).toBe("Pending");
    const missing = await waitForNeoJob(world, "no-secret", (j) => condition(j, "Synced")?.reason === "CredentialsNotFound", "CredentialsNotFound");
    expect(condition(missing, "Synced")?.message).toContain("missing");
    // Rotate: the operator reads the new token without a restart.
    await world.kube.mergePatch(Resources.secret, { namespace: world.ns, name: "bob-token" }, { stringData: { token: bobToken } });
    const done = await waitForNeoJob(world, "bobs-job", (j) => j.status?.phase === "Succeeded", "Succeeded after rotation");
    expect(condition(done, "Synced")?.status).toBe("True");
    expect(await world.network.admin.countJobs({ account: "bob" })).toBe(1);
    expect(await world.network.admin.countJobs({ account: "alice" })).toBe(0);

    // The tokens appear nowhere the operator writes to.
    const events = await kubectl(["get", "events", "-n", world.ns, "-o", "json"]);
    const jobs = await kubectl(["get", "neojobs", "-n", world.ns, "-o", "json"]);
    const places = { logs: world.logs.join(""), events: events.stdout, status: jobs.stdout, metrics: await world.metricsText() };
    expect(places.logs.length).toBeGreaterThan(0);
    expect(places.metrics).toContain("neoengine_api_requests_total");
    for (const token of [world.consumerToken, bobToken, "neo_not-a-valid-token-0000"]) {
      for (const [where, text] of Object.entries(places)) expect(text.includes(token), `token found in ${where}`).toBe(false);
    }
  });
});
