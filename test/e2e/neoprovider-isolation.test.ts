// Strangers' code on our GPUs: every isolation setting of a job Pod and of its namespace, as the
// apiserver stored them, and Pod Security admission at enforce=restricted accepting the Pod (and
// refusing a weakened copy, which proves the enforcement is live).
import { describe, expect, it, onTestFinished } from "vitest";
import { BLOCKED_IPV4, BLOCKED_IPV6 } from "../../src/controllers/neoprovider/index.js";
import { coreApi, kubeConfig, kubectl, waitFor } from "../helpers/cluster.js";
import { createNeoProvider, gpuNodes, jobPod, providerSecret, providerWorld, startProviderController, suffix, waitForNodes } from "./neoprovider-harness.js";
import { NetworkingV1Api, NodeV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";

describe("job isolation", () => {
  it("job Pods and their namespace carry every isolation setting; Pod Security admission (restricted) accepts them", async () => {
    const world = await providerWorld();
    const [node] = await gpuNodes(world, 1, 8, "NVIDIA-A100-SXM4-80GB");
    const runtimeClass = `sandbox-${suffix()}`;
    const nodeApi = kubeConfig().makeApiClient(NodeV1Api);
    await nodeApi.createRuntimeClass({ body: { metadata: { name: runtimeClass }, handler: "runsc" } });
    onTestFinished(() => nodeApi.deleteRuntimeClass({ name: runtimeClass }).then(() => undefined, () => undefined));
    const jobNamespace = `neo-jobs-${suffix()}`;
    const np = `np-iso-${suffix()}`;
    await createNeoProvider(world, np, {
      prices: { gpu: { "nvidia-a100": "2.0" } },
      jobNamespace,
      runtimeClassName: runtimeClass,
      credentialsSecretRef: await providerSecret(world, "default"),
    });
    await startProviderController(world);
    await waitForNodes(world, np, (n) => n[0]?.state === "Online", "node Online");

    const { id } = await world.consumerClient.submitJob({
      image: "ghcr.io/example/train:1.0",
      command: ["python", "train.py"],
      env: { DATASET: "s3://public/data", SEED: "7" },
      resources: { cpu: 2, memory: "4Gi", gpu: 2, gpuModel: "nvidia-a100" },
      maxPrice: "10",
      timeout: "90s",
    });
    const pod = await waitFor(async () => {
      const p = await jobPod(jobNamespace, id);
      return p?.spec?.nodeName ? p : undefined;
    }, { description: "job Pod bound" });
    const spec = pod.spec!;
    const container = spec.containers[0]!;

    // Placement and limits.
    expect(spec.nodeName).toBe(node);
    expect(spec.restartPolicy).toBe("Never");
    expect(spec.activeDeadlineSeconds).toBe(90);
    expect(container.resources!.requests).toEqual(container.resources!.limits);
    expect(container.resources!.limits).toEqual({ cpu: "2", memory: "4Gi", "nvidia.com/gpu": "2" });
    expect(pod.metadata!.labels).toMatchObject({ "neoengine.dev/job-id": id, "neoengine.dev/neoprovider": np });
    expect(pod.metadata!.labels!["neoengine.dev/provider-id"]).toMatch(/^prov_/);

    // Process: fixed non-root UID, no capabilities, no escalation, seccomp, read-only root + /tmp.
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.securityContext!.capabilities!.add).toBeUndefined();
    expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(spec.volumes).toEqual([{ name: "tmp", emptyDir: {} }]);

    // Identity and host: no token, dedicated ServiceAccount, no host namespaces, sandbox runtime.
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.serviceAccountName).toBe("neoengine-job");
    expect(spec.hostNetwork ?? false).toBe(false);
    expect(spec.hostPID ?? false).toBe(false);
    expect(spec.hostIPC ?? false).toBe(false);
    expect(spec.enableServiceLinks).toBe(false);
    expect(spec.runtimeClassName).toBe(runtimeClass);
    expect(spec.volumes!.some((v) => v.hostPath || v.secret || v.configMap || v.projected)).toBe(false);

    // Env: only the job's plain values (and HOME pointing at the writable /tmp).
    expect(container.env).toEqual([
      { name: "DATASET", value: "s3://public/data" },
      { name: "SEED", value: "7" },
      { name: "HOME", value: "/tmp" },
    ]);
    expect(container.envFrom).toBeUndefined();

    // The namespace: Pod Security restricted, a token-less ServiceAccount nothing is bound to.
    const ns = await coreApi().readNamespace({ name: jobNamespace });
    expect(ns.metadata!.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
    const sa = await coreApi().readNamespacedServiceAccount({ namespace: jobNamespace, name: "neoengine-job" });
    expect(sa.automountServiceAccountToken).toBe(false);
    const rbac = kubeConfig().makeApiClient(RbacAuthorizationV1Api);
    const bindings = [
      ...(await rbac.listNamespacedRoleBinding({ namespace: jobNamespace })).items,
      ...(await rbac.listClusterRoleBinding()).items,
    ];
    const boundToJobSa = bindings.filter((b) =>
      (b.subjects ?? []).some(
        (s) => (s.kind === "ServiceAccount" && s.name === "neoengine-job" && s.namespace === jobNamespace) || (s.kind === "Group" && s.name === `system:serviceaccounts:${jobNamespace}`),
      ),
    );
    expect(boundToJobSa).toEqual([]);

    // NetworkPolicy: no ingress; egress only DNS and the public internet.
    const netpol = await kubeConfig().makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ namespace: jobNamespace, name: "neoengine-job-isolation" });
    expect(netpol.spec!.podSelector).toEqual({});
    expect(netpol.spec!.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(netpol.spec!.ingress ?? []).toEqual([]);
    const egress = netpol.spec!.egress!;
    expect(egress).toHaveLength(2);
    expect(egress[0]!.to).toBeUndefined();
    expect(egress[0]!.ports!.map((p) => `${p.protocol}/${p.port}`).sort()).toEqual(["TCP/53", "UDP/53"]);
    const blocks = egress[1]!.to!.map((t) => t.ipBlock!);
    expect(blocks[0]).toEqual({ cidr: "0.0.0.0/0", except: BLOCKED_IPV4 });
    expect(blocks[1]).toEqual({ cidr: "::/0", except: BLOCKED_IPV6 });
    for (const cidr of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "127.0.0.0/8"]) expect(blocks[0]!.except).toContain(cidr);
    for (const cidr of ["fc00::/7", "fe80::/10"]) expect(blocks[1]!.except).toContain(cidr);
    expect(egress[1]!.ports).toBeUndefined();

    // Quota and limits.
    const quota = await coreApi().readNamespacedResourceQuota({ namespace: jobNamespace, name: "neoengine-job-quota" });
    expect(quota.spec!.hard).toMatchObject({ "requests.nvidia.com/gpu": "8", services: "0", persistentvolumeclaims: "0", "requests.cpu": "32" });
    await waitFor(async () => (await coreApi().readNamespacedResourceQuota({ namespace: jobNamespace, name: "neoengine-job-quota" })).status?.used?.["requests.nvidia.com/gpu"] === "2", {
      description: "quota counts the job's GPUs",
    });
    const limits = await coreApi().readNamespacedLimitRange({ namespace: jobNamespace, name: "neoengine-job-limits" });
    expect(limits.spec!.limits[0]).toMatchObject({ type: "Container", max: { cpu: "32", memory: "256Gi" } });

    // Pod Security admission: the Pod was admitted under enforce=restricted; a server-side dry run
    // of the same Pod passes without warnings, a weakened copy is refused.
    const clean = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `${pod.metadata!.name}-copy`, namespace: jobNamespace },
      spec: { ...spec, nodeName: undefined },
    };
    const accepted = await kubectl(["create", "--dry-run=server", "-o", "name", "-f", "-"], JSON.stringify(clean));
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stderr).not.toContain("PodSecurity");
    const weakened = structuredClone(clean) as unknown as { spec: { containers: { securityContext: Record<string, unknown> }[] } };
    weakened.spec.containers[0]!.securityContext = { ...weakened.spec.containers[0]!.securityContext, allowPrivilegeEscalation: true, capabilities: { add: ["NET_ADMIN"] } };
    const refused = await kubectl(["create", "--dry-run=server", "-o", "name", "-f", "-"], JSON.stringify(weakened));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/violates PodSecurity "restricted/);
  });
});
