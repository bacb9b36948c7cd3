// `kubectl neo get` on NeoJobs written directly to the real apiserver (no operator: the status is
// set through the status subresource), output formats, namespaces, and the error a user gets
// when the CRD is not installed.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { parse } from "yaml";
import { startControlPlane } from "../../src/devcluster/control-plane.js";
import { cacheDir } from "../../src/devcluster/versions.js";
import { installCrds, KubeClient, Resources } from "../../src/kube/index.js";
import { freshNamespace, kubeConfig } from "../helpers/cluster.js";
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

  // A second, fresh control plane that has never seen the CRD: deleting the CRD from the shared
  // one would take every other test's NeoJobs with it (and hang on their finalizers).
  it("without the CRD installed: a clear error naming the CRD and how to install it (exit 3)", async () => {
    const dir = join(cacheDir(), "runs", `${process.pid}-no-crd-${Date.now()}`);
    const bare = await startControlPlane({ dir, ownerPid: process.pid });
    onTestFinished(async () => {
      await bare.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    for (const args of [["get", "-n", "default"], ["get", "x", "-n", "default"], ["run", "x", "-n", "default", "--image", "b", "--max-price", "1"]]) {
      const r = await kubectlNeo(args, { env: { KUBECONFIG: bare.kubeconfigPath } });
      expect(r.code, args.join(" ")).toBe(3);
      expect(r.stderr).toBe(
        `error: the NeoJob CRD (neojobs.neoengine.dev) is not installed in this cluster\n  hint: install the CRDs: kubectl apply -f crds/ (or helm install the neoengine-operator chart)\n`,
      );
    }
  });
});
