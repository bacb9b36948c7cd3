// Smoke tests proving the e2e harness runs a real control plane: apiserver, etcd,
// controller-manager, scheduler and kwok each do their part.
import { join } from "node:path";
import { ApiextensionsV1Api, VersionApi, Watch, type CoreV1Event, type V1ConfigMap, type V1Pod } from "@kubernetes/client-node";
import { describe, expect, inject, it } from "vitest";
import { OUTCOME_ANNOTATION, MESSAGE_ANNOTATION } from "../../src/devcluster/kwok-stages.js";
import { versions } from "../../src/devcluster/versions.js";
import { KWOK_TOLERATION, coreApi, createGpuNodes, freshNamespace, helm, kubeConfig, kubectl, waitFor } from "../helpers/cluster.js";

describe("the test control plane", () => {
  it("reports the pinned Kubernetes version", async () => {
    const info = await kubeConfig().makeApiClient(VersionApi).getCode();
    if (inject("existingCluster")) {
      expect(info.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    } else {
      expect(info.gitVersion).toBe(`v${versions().K8S_VERSION}`);
    }
    const client = await kubectl(["version", "--client", "-o", "json"]);
    expect(JSON.parse(client.stdout).clientVersion.gitVersion).toBe(`v${versions().K8S_VERSION}`);
  });

  it("serves a CRD applied with kubectl apply, and kubectl explain shows its fields", async () => {
    const suffix = Math.random().toString(36).slice(2, 7);
    const plural = `gadgets${suffix}`;
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `${plural}.smoke.neoengine.dev` },
      spec: {
        group: "smoke.neoengine.dev",
        scope: "Namespaced",
        names: { plural, singular: `gadget${suffix}`, kind: `Gadget${suffix}`, listKind: `Gadget${suffix}List` },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  spec: {
                    type: "object",
                    description: "Desired state of the gadget.",
                    properties: { color: { type: "string", description: "The colour the gadget is painted." } },
                  },
                },
              },
            },
          },
        ],
      },
    };
    const applied = await kubectl(["apply", "-f", "-"], JSON.stringify(crd));
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toContain("created");
    const ext = kubeConfig().makeApiClient(ApiextensionsV1Api);
    try {
      await waitFor(
        async () => (await ext.readCustomResourceDefinition({ name: crd.metadata.name })).status?.conditions?.some((c) => c.type === "Established" && c.status === "True"),
        { description: "CRD Established" },
      );
      const explained = await waitFor(async () => {
        const r = await kubectl(["explain", `${plural}.spec`]);
        return r.code === 0 ? r.stdout : false;
      }, { description: "kubectl explain to know the CRD" });
      expect(explained).toContain("color");
      expect(explained).toContain("The colour the gadget is painted.");

      const ns = await freshNamespace("crd");
      const created = await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify({ apiVersion: "smoke.neoengine.dev/v1", kind: `Gadget${suffix}`, metadata: { name: "g1" }, spec: { color: "teal" } }));
      expect(created.code).toBe(0);
      const got = await kubectl(["get", plural, "g1", "-n", ns, "-o", "jsonpath={.spec.color}"]);
      expect(got.stdout).toBe("teal");
    } finally {
      await ext.deleteCustomResourceDefinition({ name: crd.metadata.name });
    }
  });

  it("delivers create, update and delete to a watch", async () => {
    const ns = await freshNamespace("watch");
    const seen: string[] = [];
    const watch = new Watch(kubeConfig());
    const req = await watch.watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      {},
      (type: string, obj: V1ConfigMap) => {
        if (obj.metadata?.name === "watched") seen.push(`${type}:${obj.data?.v ?? ""}`);
      },
      () => undefined,
    );
    try {
      const core = coreApi();
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "watched" }, data: { v: "1" } } });
      await core.replaceNamespacedConfigMap({ name: "watched", namespace: ns, body: { metadata: { name: "watched" }, data: { v: "2" } } });
      await core.deleteNamespacedConfigMap({ name: "watched", namespace: ns });
      await waitFor(() => seen.length >= 3, { description: "three watch events" });
      expect(seen).toEqual(["ADDED:1", "MODIFIED:2", "DELETED:2"]);
    } finally {
      req.abort();
    }
  });

  it("schedules a GPU pod onto a fake GPU node, runs it, and drives it to Succeeded or Failed", async () => {
    const [node] = await createGpuNodes({ count: 1, gpusPerNode: 4, product: "NVIDIA-H100-80GB-HBM3" });
    const ns = await freshNamespace("gpu");
    const core = coreApi();
    const pod = (name: string, annotations: Record<string, string>): V1Pod => ({
      metadata: { name, annotations },
      spec: {
        restartPolicy: "Never",
        tolerations: [{ ...KWOK_TOLERATION }],
        nodeSelector: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" },
        containers: [{ name: "main", image: "busybox", resources: { limits: { "nvidia.com/gpu": "1" } } }],
      },
    });
    await core.createNamespacedPod({ namespace: ns, body: pod("runs", {}) });
    await core.createNamespacedPod({ namespace: ns, body: pod("succeeds", { [OUTCOME_ANNOTATION]: "succeeded", [MESSAGE_ANNOTATION]: "all good" }) });
    await core.createNamespacedPod({ namespace: ns, body: pod("fails", { [OUTCOME_ANNOTATION]: "failed" }) });

    const phase = async (name: string) => (await core.readNamespacedPod({ name, namespace: ns })).status?.phase;
    await waitFor(async () => (await phase("runs")) === "Running", { description: "pod Running" });
    await waitFor(async () => (await phase("succeeds")) === "Succeeded", { description: "pod Succeeded" });
    await waitFor(async () => (await phase("fails")) === "Failed", { description: "pod Failed" });

    const runs = await core.readNamespacedPod({ name: "runs", namespace: ns });
    expect(runs.spec?.nodeName).toBe(node);
    const succeeded = await core.readNamespacedPod({ name: "succeeds", namespace: ns });
    expect(succeeded.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, message: "all good" });
    const failed = await core.readNamespacedPod({ name: "fails", namespace: ns });
    expect(failed.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(1);

    // The scheduler, not us, bound the pods: it records a Scheduled event.
    const events = await core.listNamespacedEvent({ namespace: ns });
    expect(events.items.some((e: CoreV1Event) => e.reason === "Scheduled" && e.involvedObject.name === "runs")).toBe(true);

    // A pod asking for more GPUs than any node has stays Pending, unschedulable.
    await core.createNamespacedPod({
      namespace: ns,
      body: { ...pod("too-big", {}), spec: { ...pod("too-big", {}).spec!, containers: [{ name: "main", image: "busybox", resources: { limits: { "nvidia.com/gpu": "64" } } }] } },
    });
    await waitFor(
      async () => (await core.readNamespacedPod({ name: "too-big", namespace: ns })).status?.conditions?.some((c) => c.type === "PodScheduled" && c.reason === "Unschedulable"),
      { description: "too-big Unschedulable" },
    );
  });

  it("finishes deleting a namespace (the controller-manager runs)", async () => {
    const core = coreApi();
    const ns = await core.createNamespace({ body: { metadata: { generateName: "gone-" } } });
    const name = ns.metadata!.name!;
    await core.createNamespacedConfigMap({ namespace: name, body: { metadata: { name: "content" }, data: { a: "b" } } });
    await core.deleteNamespace({ name });
    await waitFor(
      async () => {
        try {
          await core.readNamespace({ name });
          return false;
        } catch (err) {
          return (err as { code?: number }).code === 404;
        }
      },
      { timeoutMs: 60_000, description: `namespace ${name} gone` },
    );
  });

  it("runs helm lint and helm template on a chart, against the pinned Kubernetes version", async () => {
    const chart = join(import.meta.dirname, "..", "fixtures", "trivial-chart");
    const lint = await helm(["lint", "--strict", chart]);
    expect(lint.stdout).toContain("1 chart(s) linted, 0 chart(s) failed");
    expect(lint.code).toBe(0);
    const rendered = await helm(["template", "smoke", chart, "--set", "greeting=hi"]);
    expect(rendered.code).toBe(0);
    expect(rendered.stdout).toContain("name: smoke-greeting");
    expect(rendered.stdout).toContain('greeting: "hi"');
    expect(rendered.stdout).toContain(`kube-minor: "${versions().K8S_VERSION.split(".")[1]}"`);
  });
});
