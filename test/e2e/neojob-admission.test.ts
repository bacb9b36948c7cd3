// The finalizer admission policy (src/api/admission.ts): NeoJobs get the cancel finalizer in
// their create request, so the operator's first write is not needed; where the policy does not
// apply (a namespace opted out, like a cluster without MutatingAdmissionPolicy) the operator adds
// it itself and deletion still cancels the remote job.
import { describe, expect, it } from "vitest";
import { FINALIZER_CANCEL_JOB, LABEL_FINALIZER_POLICY } from "../../src/api/index.js";
import { NeoEngineClient } from "../../src/neoengine/index.js";
import { Resources } from "../../src/kube/index.js";
import { kubectl, waitFor } from "../helpers/cluster.js";
import { createNeoJob, getNeoJob, neoJobManifest, neoJobWorld, waitForNeoJob } from "./neojob-harness.js";

describe("NeoJob finalizer admission policy", () => {
  it("a created NeoJob carries the cancel finalizer before any operator has seen it, next to the user's own", async () => {
    const world = await neoJobWorld({ operator: false });
    const plain = await createNeoJob(world, neoJobManifest("plain"));
    expect(plain.metadata.finalizers).toEqual([FINALIZER_CANCEL_JOB]);
    const own = await createNeoJob(world, neoJobManifest("own", {}, { finalizers: ["example.com/keep"] }));
    expect(own.metadata.finalizers).toEqual(["example.com/keep", FINALIZER_CANCEL_JOB]);
    // Updates are not mutated: removing it (what the operator does after cancelling) sticks.
    await world.kube.mergePatch(Resources.neoJob, { namespace: world.ns, name: "plain" }, { metadata: { finalizers: null } });
    expect((await getNeoJob(world, "plain")).metadata.finalizers ?? []).toEqual([]);
  });

  it("without the policy (namespace opted out) the operator adds the finalizer, and deleting cancels the remote job", async () => {
    const world = await neoJobWorld({ jobDurationMs: 60_000 });
    await world.kube.mergePatch(Resources.namespace, { name: world.ns }, { metadata: { labels: { [LABEL_FINALIZER_POLICY]: "disabled" } } });
    // The namespace label reaches the admission plugin's namespace cache shortly after the patch.
    const created = await waitFor(
      async () => {
        const name = `bare-${Math.random().toString(36).slice(2, 7)}`;
        const job = await createNeoJob(world, neoJobManifest(name, { suspend: true }));
        if (job.metadata.finalizers?.length) {
          await kubectl(["delete", "-n", world.ns, `neojob/${name}`, "--wait=false"]);
          return false;
        }
        return job;
      },
      { description: "a NeoJob created without the policy's finalizer" },
    );
    const name = created.metadata.name;
    await world.kube.mergePatch(Resources.neoJob, { namespace: world.ns, name }, { spec: { suspend: false } });
    const running = await waitForNeoJob(world, name, (j) => j.status?.phase === "Running", "Running");
    expect(running.metadata.finalizers).toContain(FINALIZER_CANCEL_JOB);
    const del = await kubectl(["delete", "-n", world.ns, `neojob/${name}`, "--wait=true", "--timeout=60s"]);
    expect(del.code, del.stderr).toBe(0);
    const client = new NeoEngineClient({ baseUrl: `${world.network.url}/v1`, token: world.consumerToken, rateLimiter: false });
    try {
      expect((await client.getJob(running.status!.jobId!)).status).toBe("cancelled");
    } finally {
      await client.close();
    }
  });
});
