// The generated CRDs on the real apiserver: they apply, kubectl explain documents them, defaults
// are applied, bad NeoJobs are refused naming the field, and the spec freezes once submitted.
import { join } from "node:path";
import { ApiextensionsV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { CRD_DIR } from "../../src/api/generate.js";
import { GROUP, NEOJOB_PLURAL, VERSION } from "../../src/api/index.js";
import { KubeClient, Resources, patchStatus } from "../../src/kube/index.js";
import { freshNamespace, kubeConfig, kubectl, waitFor } from "../helpers/cluster.js";

function neoJob(name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "NeoJob",
    metadata: { name },
    spec: { image: "python:3.11-slim", command: ["python", "-c", "print('Hello')"], maxPrice: "1.0", ...spec },
  };
}

describe("generated CRDs on the real apiserver", () => {
  beforeAll(async () => {
    const applied = await kubectl(["apply", "-f", join(CRD_DIR, "neojobs.neoengine.dev.yaml"), "-f", join(CRD_DIR, "neoproviders.neoengine.dev.yaml")]);
    expect(applied.code, applied.stderr).toBe(0);
    const ext = kubeConfig().makeApiClient(ApiextensionsV1Api);
    for (const name of ["neojobs.neoengine.dev", "neoproviders.neoengine.dev"]) {
      await waitFor(
        async () =>
          (await ext.readCustomResourceDefinition({ name })).status?.conditions?.some((c) => c.type === "Established" && c.status === "True"),
        { description: `${name} Established` },
      );
    }
  });

  it("kubectl explain documents neojob.spec.resources and neoprovider.spec", async () => {
    const explained = await waitFor(async () => {
      const r = await kubectl(["explain", "neojob.spec.resources"]);
      return r.code === 0 ? r.stdout : false;
    }, { description: "kubectl explain neojob.spec.resources" });
    expect(explained).toContain("CPU cores");
    expect(explained).toContain("gpuModel");
    const np = await kubectl(["explain", "np.spec"]);
    expect(np.code, np.stderr).toBe(0);
    expect(np.stdout).toContain("allowRootContainers");
  });

  it("accepts a valid NeoJob and applies the defaults", async () => {
    const ns = await freshNamespace("crd");
    const r = await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify(neoJob("hello", { resources: { cpu: 2, memory: "4Gi" } })));
    expect(r.code, r.stderr).toBe(0);
    const got = (await kubeConfig()
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: NEOJOB_PLURAL, name: "hello" })) as {
      spec: Record<string, unknown>;
    };
    expect(got.spec).toMatchObject({ resources: { cpu: 2, memory: "4Gi", gpu: 0 }, timeout: "1h", deletionPolicy: "Cancel", suspend: false, backoffLimit: 0 });
    const printed = await kubectl(["get", "nj", "-n", ns]);
    expect(printed.stdout.split("\n")[0]).toMatch(/NAME\s+PHASE\s+PROGRESS\s+PROVIDER\s+JOB-ID\s+COST\s+AGE/);
  });

  it.each([
    ["spec.resources.cpu", { resources: { cpu: 0 } }, "spec.resources.cpu must be at least 1"],
    ["spec.resources.memory", { resources: { memory: "lots" } }, "spec.resources.memory must be a positive quantity"],
    ["spec.resources.memory", { resources: { memory: "0" } }, "spec.resources.memory must be a positive quantity"],
    ["spec.resources.gpu", { resources: { gpu: -1 } }, "spec.resources.gpu must be at least 0"],
    ["spec.maxPrice", { maxPrice: "-1" }, "spec.maxPrice must be a positive decimal"],
    ["spec.maxPrice", { maxPrice: "0.000" }, "spec.maxPrice must be a positive decimal"],
    ["spec.timeout", { timeout: "forever" }, "spec.timeout must be a Go duration"],
    ["spec.timeout", { timeout: "1d" }, "spec.timeout must be a Go duration"],
    ["spec.image", { image: "" }, "spec.image must not be empty"],
  ])("refuses a NeoJob with a bad %s (%j), naming the field", async (field, spec, message) => {
    const ns = await freshNamespace("crd");
    const r = await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify(neoJob("bad", spec)));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${field}: Invalid value`);
    expect(r.stderr).toContain(message);
  });

  it("accepts memory as a plain byte count (int-or-string)", async () => {
    const ns = await freshNamespace("crd");
    const r = await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify(neoJob("bytes", { resources: { memory: 1073741824 } })));
    expect(r.code, r.stderr).toBe(0);
  });

  it("accepts a NeoProvider with defaults and refuses a bad price, naming the field", async () => {
    const name = `np-${Math.random().toString(36).slice(2, 7)}`;
    const provider = (prices: Record<string, unknown>) =>
      JSON.stringify({ apiVersion: `${GROUP}/${VERSION}`, kind: "NeoProvider", metadata: { name }, spec: { prices } });
    const bad = await kubectl(["apply", "-f", "-"], provider({ gpu: { "nvidia-a100": "cheap" } }));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("spec.prices.gpu[model] must be a non-negative decimal");
    const ok = await kubectl(["apply", "-f", "-"], provider({ cpu: "0.02", gpu: { "nvidia-a100": "0.75" } }));
    expect(ok.code, ok.stderr).toBe(0);
    try {
      const got = (await kubeConfig()
        .makeApiClient(CustomObjectsApi)
        .getClusterCustomObject({ group: GROUP, version: VERSION, plural: "neoproviders", name })) as { spec: Record<string, unknown> };
      expect(got.spec).toMatchObject({ jobNamespace: "neoengine-jobs", allowRootContainers: false, paused: false });
      const printed = await kubectl(["get", "np", name]);
      expect(printed.stdout.split("\n")[0]).toMatch(/NAME\s+NODES\s+GPUS\s+FREE\s+RUNNING\s+EARNINGS\s+AGE/);
    } finally {
      await kubectl(["delete", "np", name, "--wait=false"]);
    }
  });

  it("freezes the spec once submitted, except suspend, deletionPolicy and ttlSecondsAfterFinished", async () => {
    const ns = await freshNamespace("crd");
    const kc = kubeConfig();
    const api = kc.makeApiClient(CustomObjectsApi);
    const ref = { group: GROUP, version: VERSION, plural: NEOJOB_PLURAL, namespace: ns };
    for (const [name, status] of [
      ["by-job-id", { phase: "Submitted", jobId: "job_abc123" }],
      ["by-marker", { phase: "Pending", pendingSubmit: { attempt: 1, idempotencyKey: "k-1", since: "2026-01-15T12:00:00Z" } }],
    ] as const) {
      await api.createNamespacedCustomObject({ ...ref, body: neoJob(name, {}) });
      // Before submission the spec may change.
      const early = await kubectl(["patch", "nj", name, "-n", ns, "--type=merge", "-p", JSON.stringify({ spec: { maxPrice: "2.0" } })]);
      expect(early.code, early.stderr).toBe(0);

      await patchStatus(new KubeClient(kc), Resources.neoJob, { namespace: ns, name }, status);

      const frozen = await kubectl(["patch", "nj", name, "-n", ns, "--type=merge", "-p", JSON.stringify({ spec: { image: "python:3.12" } })]);
      expect(frozen.code).not.toBe(0);
      expect(frozen.stderr).toContain("spec is immutable once the job is submitted");
      const frozenRes = await kubectl(["patch", "nj", name, "-n", ns, "--type=merge", "-p", JSON.stringify({ spec: { resources: { gpu: 1 } } })]);
      expect(frozenRes.code).not.toBe(0);

      const allowed = await kubectl([
        "patch", "nj", name, "-n", ns, "--type=merge",
        "-p", JSON.stringify({ spec: { suspend: true, deletionPolicy: "Orphan", ttlSecondsAfterFinished: 60 } }),
      ]);
      expect(allowed.code, allowed.stderr).toBe(0);
      const got = (await api.getNamespacedCustomObject({ ...ref, name })) as { spec: Record<string, unknown> };
      expect(got.spec).toMatchObject({ image: "python:3.11-slim", maxPrice: "2.0", suspend: true, deletionPolicy: "Orphan", ttlSecondsAfterFinished: 60 });
    }
  });
});
