// `kubectl neo get` on NeoJobs written directly to the real apiserver (no operator: the status is
// set through the status subresource), output formats, namespaces, and the error a user gets
// when the CRD is not installed.
import { describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { GROUP, NEOJOB_PLURAL } from "../../src/api/index.js";
import { installCrds, KubeClient, Resources } from "../../src/kube/index.js";
import { freshNamespace, kubeConfig, waitFor } from "../helpers/cluster.js";
import { kubectlNeo } from "./kubectl-neo-helpers.js";
import { neoJobManifest } from "./neojob-harness.js";

async function neoJobWithStatus(kube: KubeClient, ns: string, name: string, status: Record<string, unknown>) {
  await kube.create(Resources.neoJob, neoJobManifest(name) as unknown as Record<string, unknown>, ns);
  await kube.mergePatch(Resources.neoJob, { namespace: ns, name }, { status }, "status");
}

describe("kubectl neo get against the real apiserver", () => {
  it("lists NeoJobs with phase, progress bar, provider, cost and age; by name; -A; -o json|yaml|wide", async () => {
    const kube = new KubeClient(kubeConfig());
    await installCrds(kube);
    const ns = await freshNamespace("kneo");
    const other = await freshNamespace("kneo");
    await neoJobWithStatus(kube, ns, "train", { phase: "Running", progress: 60, provider: "prov_abc", jobId: "job_1" });
    await neoJobWithStatus(kube, ns, "done", { phase: "Succeeded", progress: 100, provider: "prov_abc", jobId: "job_2", cost: "0.042" });
    await kube.create(Resources.neoJob, neoJobManifest("elsewhere") as unknown as Record<string, unknown>, other);

    const r = await kubectlNeo(["get", "-n", ns]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n").map((l) => l.split(/\s{3,}/))).toEqual([
      ["NAME", "PHASE", "PROGRESS", "PROVIDER", "COST", "AGE"],
      ["done", "Succeeded", "[##########] 100%", "prov_abc", "0.042", expect.stringMatching(/^\d+s$/)],
      ["train", "Running", "[######----]  60%", "prov_abc", "-", expect.stringMatching(/^\d+s$/)],
    ]);

    const one = await kubectlNeo(["get", "train", "-n", ns, "-o", "json"]);
    expect(JSON.parse(one.stdout)).toMatchObject({ kind: "NeoJob", metadata: { name: "train", namespace: ns }, status: { progress: 60 } });
    const list = parse((await kubectlNeo(["get", "-n", ns, "-o", "yaml"])).stdout) as { kind: string; items: { metadata: { name: string } }[] };
    expect(list.kind).toBe("List");
    expect(list.items.map((i) => i.metadata.name).sort()).toEqual(["done", "train"]);

    const wide = await kubectlNeo(["get", "-n", ns, "-o", "wide"]);
    expect(wide.stdout.split("\n")[0]).toMatch(/JOB-ID\s+IMAGE\s+GPU\s+MAX-PRICE\s+MESSAGE$/);
    expect(wide.stdout).toMatch(/^train\s.*job_1\s+python:3\.11-slim\s+-\s+1\.0\s+-$/m);

    const all = await kubectlNeo(["get", "-A"]);
    expect(all.stdout).toMatch(new RegExp(`^${other}\\s+elsewhere\\s+Pending\\s+\\[-{10}\\]  n/a`, "m"));
    expect(all.stdout).toMatch(new RegExp(`^${ns}\\s+train\\s+Running`, "m"));

    const empty = await kubectlNeo(["get", "-n", "default-empty-" + Date.now().toString(36)]);
    expect([empty.code, empty.stdout]).toEqual([0, ""]);
    expect(empty.stderr).toMatch(/^No NeoJobs found in namespace/);

    const missing = await kubectlNeo(["get", "nope", "-n", ns]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe(`error: neojob "nope" in namespace "${ns}": not found\n`);
  });

  // Deleting the CRD removes every NeoJob: only on the suite's own control plane, never on a
  // cluster a developer pointed the suite at (NEO_E2E_USE_EXISTING_CLUSTER=1).
  it.skipIf(inject("existingCluster"))("without the CRD installed: a clear error naming the CRD and how to install it (exit 3)", async () => {
    const kube = new KubeClient(kubeConfig());
    const name = `${NEOJOB_PLURAL}.${GROUP}`;
    try {
      await kube.delete(Resources.crd, { name }).catch(() => undefined);
      await waitFor(
        async () => {
          const r = await kubectlNeo(["get", "-n", "default"]);
          return r.stderr.includes("not installed") ? r : false;
        },
        { timeoutMs: 60_000, intervalMs: 500, description: "the NeoJob API to disappear" },
      );
      for (const args of [["get", "-n", "default"], ["get", "x", "-n", "default"], ["run", "x", "-n", "default", "--image", "b", "--max-price", "1"]]) {
        const r = await kubectlNeo(args);
        expect(r.code, args.join(" ")).toBe(3);
        expect(r.stderr).toBe(
          `error: the NeoJob CRD (neojobs.neoengine.dev) is not installed in this cluster\n  hint: install the CRDs: kubectl apply -f crds/ (or helm install the neoengine-operator chart)\n`,
        );
      }
    } finally {
      await installCrds(kube);
    }
  });
});
