import { describe, expect, it } from "vitest";
import { FINALIZER_CANCEL_JOB, type NeoJob } from "../../../../src/api/index.js";
import { getCondition } from "../../../../src/controllers/neojob/conditions.js";
import { NeoJobReconciler } from "../../../../src/controllers/neojob/reconciler.js";
import { NeoEngineError } from "../../../../src/neoengine/index.js";
import { FakeSession, FakeWriter, makeJob } from "./fakes.js";

const T0 = Date.parse("2026-01-15T12:00:00Z");

function setup(job: NeoJob = makeJob(), opts: { now?: () => number } = {}) {
  const writer = new FakeWriter(job);
  const session = new FakeSession();
  const reconciler = new NeoJobReconciler(
    { writer, sessions: session, now: opts.now ?? (() => T0) },
    { baseMs: 1000, maxMs: 60_000, random: () => 1 },
  );
  const run = () => reconciler.reconcileJob(writer.read());
  return { writer, session, reconciler, run };
}

describe("NeoJob reconciler: submit", () => {
  it("adds the finalizer, records the pending marker before POST, then the job id", async () => {
    const { writer, session, run } = setup();
    let markerAtPost: unknown;
    const submit = session.submit.bind(session);
    session.submit = async (req, key) => {
      markerAtPost = writer.current.status?.pendingSubmit;
      return submit(req, key);
    };
    const action = await run();
    expect(action).toEqual({ kind: "done" });
    expect(writer.current.metadata.finalizers).toContain(FINALIZER_CANCEL_JOB);
    expect(markerAtPost).toMatchObject({ attempt: 1, idempotencyKey: "neojob-uid-1-1" });
    expect(session.calls.filter((c) => c.op === "submit").map((c) => c.arg)).toEqual(["neojob-uid-1-1"]);
    const status = writer.current.status!;
    expect(status.jobId).toBe("job_1");
    expect(status.pendingSubmit).toBeUndefined();
    expect(status.phase).toBe("Submitted");
    expect(status.attempts).toBe(1);
    expect(status.observedGeneration).toBe(1);
    expect(getCondition(status, "Submitted")?.status).toBe("True");
    expect(getCondition(status, "Synced")?.status).toBe("True");
    expect(session.tracked.get("job_1")).toBe("ns/hello");
    // One Event for the phase the reconcile ended in (the marker write is an internal step).
    expect(writer.events.map((e) => e.reason)).toEqual(["Submitted"]);
  });

  it("the status written at submit is what tracking computes: the next reconcile writes nothing (no extra status write per job)", async () => {
    const { writer, session, run } = setup();
    await run();
    const writes = writer.calls.filter((c) => c.op !== "event").length;
    expect(await run()).toEqual({ kind: "done" });
    // The first poll of a waiting job reports progress 0: still nothing new.
    session.setRemote({ id: "job_1", status: "pending", progress: 0 });
    expect(await run()).toEqual({ kind: "done" });
    expect(writer.calls.filter((c) => c.op !== "event")).toHaveLength(writes);
  });

  it("after a crash between POST and status write, repeats the POST with the same key", async () => {
    const { writer, session, run } = setup();
    // First process: POST succeeds, then dies before the status write.
    const crashing = new NeoJobReconciler({
      writer,
      sessions: session,
      now: () => T0,
      afterSubmit: () => {
        throw new Error("SIGKILL");
      },
    });
    await crashing.reconcileJob(writer.read());
    expect(writer.current.status?.jobId).toBeUndefined();
    expect(writer.current.status?.pendingSubmit?.idempotencyKey).toBe("neojob-uid-1-1");
    // Restarted process.
    await run();
    expect(session.calls.filter((c) => c.op === "submit").map((c) => c.arg)).toEqual(["neojob-uid-1-1", "neojob-uid-1-1"]);
    expect(session.jobs.size).toBe(1);
    expect(writer.current.status?.jobId).toBe("job_1");
    expect(writer.current.status?.attempts).toBe(1);
  });

  it("a 4xx is terminal: Failed, Synced=False with the NeoEngine code, no retry", async () => {
    const { writer, session, run } = setup();
    session.submitError = new NeoEngineError({ status: 402, code: "INSUFFICIENT_FUNDS", message: "balance 0.5 cannot cover 1.0", retryable: false });
    const action = await run();
    expect(action).toEqual({ kind: "done" });
    const status = writer.current.status!;
    expect(status.phase).toBe("Failed");
    expect(status.pendingSubmit).toBeUndefined();
    expect(getCondition(status, "Synced")).toMatchObject({ status: "False", reason: "INSUFFICIENT_FUNDS", message: "balance 0.5 cannot cover 1.0" });
    expect(getCondition(status, "Failed")).toMatchObject({ status: "True", reason: "INSUFFICIENT_FUNDS" });
    await run();
    expect(session.count("submit")).toBe(1);
    expect(getCondition(writer.current.status!, "Synced")).toMatchObject({ status: "False", reason: "INSUFFICIENT_FUNDS" });
    expect(writer.events.filter((e) => e.reason === "Failed")).toHaveLength(1);
  });

  it("a refused NeoJob is submitted again only after its spec changes (new generation)", async () => {
    const { writer, session, run } = setup();
    session.submitError = new NeoEngineError({ status: 400, code: "INVALID_PARAMETERS", message: "image must not be empty", retryable: false });
    await run();
    await run();
    expect(session.count("submit")).toBe(1);
    session.submitError = undefined;
    writer.current.spec.image = "python:3.12-slim";
    writer.current.metadata.generation = 2;
    await run();
    expect(session.count("submit")).toBe(2);
    expect(writer.current.status).toMatchObject({ phase: "Submitted", jobId: "job_1", attempts: 2, observedGeneration: 2 });
    expect(getCondition(writer.current.status!, "Synced")?.status).toBe("True");
    expect(getCondition(writer.current.status!, "Failed")?.status).toBe("False");
  });

  it("a 5xx keeps the marker and asks for a retry with backoff; the retry uses the same key", async () => {
    const { writer, session, run } = setup();
    session.submitError = new NeoEngineError({ status: 503, code: "INTERNAL_ERROR", message: "down", retryable: true });
    const first = await run();
    expect(first).toEqual({ kind: "requeueAfter", ms: 1000 });
    expect(getCondition(writer.current.status!, "Synced")).toMatchObject({ status: "False", reason: "INTERNAL_ERROR" });
    expect(writer.current.status?.observedGeneration).toBeUndefined();
    const second = await run();
    expect(second).toEqual({ kind: "requeueAfter", ms: 2000 });
    session.submitError = undefined;
    expect(await run()).toEqual({ kind: "done" });
    expect(new Set(session.calls.filter((c) => c.op === "submit").map((c) => c.arg))).toEqual(new Set(["neojob-uid-1-1"]));
    expect(writer.current.status?.jobId).toBe("job_1");
    expect(getCondition(writer.current.status!, "Synced")?.status).toBe("True");
  });

  it("a stale cache read after our own write is skipped and retried: no 409, no second POST", async () => {
    const { writer, session, reconciler } = setup();
    const stale = writer.read(); // what the informer still holds after the writes below
    await reconciler.reconcile(stale, "ns/hello");
    expect(writer.current.status?.jobId).toBe("job_1");
    const writes = writer.calls.length;
    session.setRemote({ id: "job_1", status: "running", provider: "prov_a", progress: 20 });
    expect(await reconciler.reconcile(stale, "ns/hello")).toEqual({ kind: "requeueAfter", ms: 250 });
    expect(writer.calls).toHaveLength(writes);
    expect(session.count("submit")).toBe(1);
    // Once the cache has caught up, it is the source again.
    await reconciler.reconcile(writer.read(), "ns/hello");
    expect(writer.current.status).toMatchObject({ phase: "Running", progress: 20 });
    session.setRemote({ id: "job_1", status: "running", provider: "prov_a", progress: 60 });
    await reconciler.reconcile(writer.read(), "ns/hello");
    expect(writer.current.status?.progress).toBe(60);
    expect(writer.calls.filter((c) => c.op === "conflict")).toHaveLength(0);
    expect(session.count("submit")).toBe(1);
  });

  it("a Retry-After longer than the backoff wins", async () => {
    const { session, run } = setup();
    session.submitError = new NeoEngineError({ status: 429, code: "RATE_LIMITED", message: "slow down", retryable: true, retryAfterMs: 30_000 });
    expect(await run()).toEqual({ kind: "requeueAfter", ms: 30_000 });
  });
});

describe("NeoJob reconciler: track and finish", () => {
  it("mirrors phase, provider and progress; no status write when nothing changed", async () => {
    const { writer, session, run } = setup();
    await run();
    session.setRemote({ id: "job_1", status: "running", provider: "prov_a", progress: 45, startedAt: "2026-01-15T12:01:00Z", createdAt: "2026-01-15T12:00:00Z" });
    await run();
    const status = writer.current.status!;
    expect(status).toMatchObject({ phase: "Running", provider: "prov_a", progress: 45, startedAt: "2026-01-15T12:01:00Z" });
    expect(getCondition(status, "Running")?.status).toBe("True");
    const writes = writer.calls.filter((c) => c.op === "patchStatus").length;
    await run();
    await run();
    expect(writer.calls.filter((c) => c.op === "patchStatus").length).toBe(writes);
  });

  it("Succeeded with cost and completedAt, Complete=True, results into the ConfigMap, an Event per phase", async () => {
    const { writer, session, run } = setup(makeJob({ spec: { output: { configMapName: "hello-results" } } }));
    await run();
    session.setRemote({ id: "job_1", status: "running", provider: "prov_a", progress: 10 });
    await run();
    session.results_ = { exitCode: 0, message: "ok", startedAt: null, finishedAt: null, durationSeconds: 60, cost: "0.0125", outputs: [] };
    session.setRemote({ id: "job_1", status: "succeeded", provider: "prov_a", progress: 100, cost: "0.0125", finishedAt: "2026-01-15T12:02:00Z" });
    await run();
    const status = writer.current.status!;
    expect(status).toMatchObject({ phase: "Succeeded", cost: "0.0125", completedAt: "2026-01-15T12:02:00Z", progress: 100 });
    expect(getCondition(status, "Complete")?.status).toBe("True");
    expect(writer.configMaps.get("hello-results")).toMatchObject({ jobId: "job_1", exitCode: "0", cost: "0.0125" });
    expect(session.tracked.has("job_1")).toBe(false);
    expect(writer.events.map((e) => e.reason)).toEqual(["Submitted", "Running", "Succeeded", "ResultsStored"]);
    await run();
    expect(session.count("results")).toBe(1);
  });

  it("a provider-side failure without retries left ends Failed with the reason", async () => {
    const { writer, session, run } = setup();
    await run();
    session.setRemote({ id: "job_1", status: "failed", provider: "prov_a", exitCode: 3, message: "boom" });
    await run();
    const status = writer.current.status!;
    expect(status.phase).toBe("Failed");
    expect(getCondition(status, "Failed")).toMatchObject({ status: "True", reason: "ProviderFailed" });
    expect(status.message).toContain("exit code 3");
    expect(writer.events.find((e) => e.reason === "Failed")?.type).toBe("Warning");
  });

  it("backoffLimit resubmits after a provider-side failure as a new attempt", async () => {
    const { writer, session, run } = setup(makeJob({ spec: { backoffLimit: 1 } }));
    await run();
    session.setRemote({ id: "job_1", status: "failed", provider: "prov_a", exitCode: 1 });
    await run();
    expect(writer.current.status).toMatchObject({ jobId: "job_2", attempts: 2, phase: "Submitted" });
    expect(session.calls.filter((c) => c.op === "submit").map((c) => c.arg)).toEqual(["neojob-uid-1-1", "neojob-uid-1-2"]);
    session.setRemote({ id: "job_2", status: "timed_out", provider: "prov_a" });
    await run();
    expect(writer.current.status?.phase).toBe("Failed");
    expect(getCondition(writer.current.status!, "Failed")?.reason).toBe("TimedOut");
    expect(session.count("submit")).toBe(2);
  });
});

describe("NeoJob reconciler: suspend, delete, ttl, adoption", () => {
  it("suspend cancels the remote job; unsuspend resubmits as a new attempt", async () => {
    const { writer, session, run } = setup();
    await run();
    writer.current.spec.suspend = true;
    await run();
    expect(session.calls.find((c) => c.op === "cancel")?.arg).toBe("job_1");
    expect(writer.current.status).toMatchObject({ phase: "Pending" });
    expect(writer.current.status?.jobId).toBeUndefined();
    expect(getCondition(writer.current.status!, "Suspended")?.status).toBe("True");
    await run();
    expect(session.count("submit")).toBe(1);
    writer.current.spec.suspend = false;
    await run();
    expect(writer.current.status).toMatchObject({ jobId: "job_2", attempts: 2, phase: "Submitted" });
    expect(getCondition(writer.current.status!, "Suspended")?.status).toBe("False");
  });

  it("deletion with deletionPolicy Cancel cancels the remote job, then drops the finalizer", async () => {
    const { writer, session, run } = setup();
    await run();
    writer.current.metadata.deletionTimestamp = "2026-01-15T12:05:00Z";
    expect(await run()).toEqual({ kind: "done" });
    expect(session.calls.find((c) => c.op === "cancel")?.arg).toBe("job_1");
    expect(writer.current.metadata.finalizers).toEqual([]);
    expect(session.tracked.size).toBe(0);
  });

  it("deletion with deletionPolicy Orphan leaves the remote job", async () => {
    const { writer, session, run } = setup(makeJob({ spec: { deletionPolicy: "Orphan" } }));
    await run();
    writer.current.metadata.deletionTimestamp = "2026-01-15T12:05:00Z";
    await run();
    expect(session.count("cancel")).toBe(0);
    expect(session.jobs.get("job_1")?.status).toBe("pending");
    expect(writer.current.metadata.finalizers).toEqual([]);
  });

  it("ttlSecondsAfterFinished requeues until due, then deletes the NeoJob", async () => {
    let now = T0;
    const { writer, session, run } = setup(makeJob({ spec: { ttlSecondsAfterFinished: 60 } }), { now: () => now });
    await run();
    session.setRemote({ id: "job_1", status: "succeeded", provider: "prov_a", finishedAt: "2026-01-15T12:00:00Z", cost: "0.01" });
    expect(await run()).toEqual({ kind: "requeueAfter", ms: 60_000 });
    expect(writer.deleted).toBe(false);
    now = T0 + 60_000;
    await run();
    expect(writer.deleted).toBe(true);
    expect(writer.current.status?.phase).toBe("Succeeded");
  });

  it("adopts the remote job named by neoengine.dev/job-id instead of submitting", async () => {
    const { writer, session, run } = setup(makeJob({ metadata: { annotations: { "neoengine.dev/job-id": "job_77" } } }));
    session.jobs.set("job_77", { id: "job_77", status: "running", provider: "prov_b", progress: 5, createdAt: "2026-01-15T11:00:00Z" });
    await run();
    expect(session.count("submit")).toBe(0);
    expect(writer.current.status).toMatchObject({ jobId: "job_77", phase: "Running", provider: "prov_b", progress: 5 });
    expect(getCondition(writer.current.status!, "Submitted")?.status).toBe("True");
  });

  it("adopting a job that does not exist fails with NOT_FOUND", async () => {
    const { writer, session, run } = setup(makeJob({ metadata: { annotations: { "neoengine.dev/job-id": "job_missing" } } }));
    await run();
    expect(session.count("submit")).toBe(0);
    expect(writer.current.status?.phase).toBe("Failed");
    expect(getCondition(writer.current.status!, "Synced")?.reason).toBe("NOT_FOUND");
  });
});
