// Status through /status, finalizers and events against the real apiserver.
import { beforeAll, describe, expect, it } from "vitest";
import { parseNeoJob, FINALIZER_CANCEL_JOB } from "../../src/api/index.js";
import {
  EventRecorder,
  KubeClient,
  Resources,
  addFinalizer,
  hasFinalizer,
  installCrds,
  isConflict,
  isNotFound,
  patchStatus,
  removeFinalizer,
  updateStatus,
  type KubeObject,
} from "../../src/kube/index.js";
import { WITHOUT_OPERATOR, freshNamespace, kubeConfig, waitFor } from "../helpers/cluster.js";

const client = () => new KubeClient(kubeConfig());

async function newJob(kube: KubeClient, ns: string, name: string): Promise<KubeObject> {
  return kube.create<KubeObject>(Resources.neoJob, { metadata: { name }, spec: { image: "busybox", maxPrice: "1.0" } }, ns);
}

describe("kube helpers on the real apiserver", () => {
  beforeAll(async () => {
    await installCrds(client());
  });

  it("patches status through the /status subresource, conflict-safe", async () => {
    const ns = await freshNamespace("status");
    const kube = client();
    const ref = { namespace: ns, name: "job" };
    const created = await newJob(kube, ns, "job");

    // Status written through the main resource is ignored (status is a subresource)...
    await kube.mergePatch(Resources.neoJob, ref, { status: { phase: "Running" } });
    expect((await kube.get<KubeObject>(Resources.neoJob, ref)).status).toBeUndefined();

    // ...and lands through /status; spec changes sent there are ignored.
    const patched = await patchStatus<KubeObject>(kube, Resources.neoJob, ref, {
      phase: "Pending",
      pendingSubmit: { attempt: 1, idempotencyKey: "uid-1", since: "2026-01-15T12:00:00Z" },
    });
    expect(parseNeoJob(patched).status).toMatchObject({ phase: "Pending", pendingSubmit: { attempt: 1 } });
    expect(patched.metadata.generation).toBe(created.metadata.generation);

    // A write based on a stale resourceVersion is refused with 409.
    const stale = created.metadata.resourceVersion!;
    const err = await patchStatus(kube, Resources.neoJob, ref, { phase: "Failed" }, { resourceVersion: stale }).catch((e: unknown) => e);
    expect(isConflict(err)).toBe(true);

    // updateStatus re-reads and recomputes on conflict; null clears the pending marker.
    let computed = 0;
    const updated = await updateStatus<KubeObject>(
      kube,
      Resources.neoJob,
      ref,
      () => {
        computed++;
        return { phase: "Submitted", jobId: "job_abc123", pendingSubmit: null };
      },
      { known: created },
    );
    expect(computed).toBe(2);
    const status = parseNeoJob(updated).status!;
    expect(status).toMatchObject({ phase: "Submitted", jobId: "job_abc123" });
    expect(status.pendingSubmit).toBeUndefined();

    // Nothing to write → no request.
    expect(await updateStatus(kube, Resources.neoJob, ref, () => undefined)).toBeUndefined();
  });

  it("adds and removes a finalizer, and the object goes away only after removal", async () => {
    const ns = await freshNamespace("finalizer", WITHOUT_OPERATOR);
    const kube = client();
    const ref = { namespace: ns, name: "job" };
    const created = await newJob(kube, ns, "job");
    await kube.mergePatch(Resources.neoJob, ref, { metadata: { finalizers: ["example.com/other"] } });

    // `created` is stale (the other finalizer was added since): the helper must not drop it.
    const withOurs = await addFinalizer(kube, Resources.neoJob, ref, FINALIZER_CANCEL_JOB, created);
    expect(withOurs.metadata.finalizers).toEqual(["example.com/other", FINALIZER_CANCEL_JOB]);
    const again = await addFinalizer(kube, Resources.neoJob, ref, FINALIZER_CANCEL_JOB);
    expect(again.metadata.finalizers).toEqual(["example.com/other", FINALIZER_CANCEL_JOB]);

    await kube.delete(Resources.neoJob, ref);
    const deleting = await kube.get<KubeObject>(Resources.neoJob, ref);
    expect(deleting.metadata.deletionTimestamp).toBeTruthy();
    expect(hasFinalizer(deleting, FINALIZER_CANCEL_JOB)).toBe(true);

    await removeFinalizer(kube, Resources.neoJob, ref, FINALIZER_CANCEL_JOB);
    const remaining = await kube.get<KubeObject>(Resources.neoJob, ref);
    expect(remaining.metadata.finalizers).toEqual(["example.com/other"]);
    await removeFinalizer(kube, Resources.neoJob, ref, "example.com/other");
    await waitFor(() => kube.get(Resources.neoJob, ref).then(() => false, (e: unknown) => isNotFound(e)), { description: "object deleted" });
    // Removing from a vanished object is a no-op.
    expect(await removeFinalizer(kube, Resources.neoJob, ref, FINALIZER_CANCEL_JOB)).toBeUndefined();
  });

  it("records events (events.k8s.io/v1) and folds repeats into a series", async () => {
    const ns = await freshNamespace("events");
    const kube = client();
    const job = await newJob(kube, ns, "job");
    const recorder = new EventRecorder(kube, { reportingController: "neoengine.dev/neojob-controller", reportingInstance: "test" });
    await recorder.record(job, "Normal", "Submitted", "submitted as job_abc123", "Submit");
    await recorder.record(job, "Normal", "Submitted", "submitted as job_abc123", "Submit");
    await recorder.record(job, "Warning", "SubmitFailed", "INSUFFICIENT_FUNDS: balance too low", "Submit");
    const list = await kube.list<{
      reason: string;
      type: string;
      note: string;
      regarding: { name: string; uid: string };
      series?: { count: number };
      eventTime: string;
    }>(Resources.event, { namespace: ns });
    const ours = list.items.filter((e) => e.regarding.uid === job.metadata.uid);
    expect(ours).toHaveLength(2);
    const submitted = ours.find((e) => e.reason === "Submitted")!;
    expect(submitted.series?.count).toBe(2);
    expect(submitted.eventTime).toMatch(/\.\d{6}Z$/);
    expect(ours.find((e) => e.reason === "SubmitFailed")).toMatchObject({ type: "Warning", note: "INSUFFICIENT_FUNDS: balance too low" });
  });

  it("records events about a cluster-scoped NeoProvider (in the default namespace)", async () => {
    const kube = client();
    const name = `np-${Math.random().toString(36).slice(2, 7)}`;
    const provider = await kube.create<KubeObject>(Resources.neoProvider, { metadata: { name }, spec: { prices: { cpu: "0.01" } } });
    try {
      const recorder = new EventRecorder(kube, { reportingController: "neoengine.dev/neoprovider-controller", reportingInstance: "test" });
      await recorder.record(provider, "Normal", "NodeRegistered", "node gpu-0 registered as prov_x", "Register");
      const list = await kube.list<{ reason: string; regarding: { uid: string } }>(Resources.event, { namespace: "default" });
      expect(list.items.filter((e) => e.regarding.uid === provider.metadata.uid).map((e) => e.reason)).toEqual(["NodeRegistered"]);
    } finally {
      await kube.delete(Resources.neoProvider, { name });
    }
  });
});
