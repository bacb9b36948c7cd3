import { describe, expect, it } from "vitest";
import { buildJobPod, deadlineSeconds, labelValue, podNameFor } from "../../../src/controllers/neoprovider/build/job-pod.js";
import { assignment } from "./fixtures.js";

const ctx = {
  namespace: "neoengine-jobs",
  neoProviderName: "gpu-farm",
  providerId: "prov_Xy12",
  nodeName: "gpu-node-1",
  gpuResource: "nvidia.com/gpu",
  allowRootContainers: false,
  tolerations: [{ key: "neoengine.dev/dedicated", operator: "Exists" }],
};

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("buildJobPod", () => {
  const pod = buildJobPod(assignment(), ctx) as Obj;
  const spec = pod.spec as Obj;
  const container = spec.containers[0] as Obj;

  it("pins the Pod to the assigned node, once per job, and links job and provider", () => {
    expect(pod.metadata.name).toBe(podNameFor("job_AbC123xyz"));
    expect(pod.metadata.namespace).toBe("neoengine-jobs");
    expect(pod.metadata.labels).toMatchObject({
      "neoengine.dev/job-id": "job_AbC123xyz",
      "neoengine.dev/provider-id": "prov_Xy12",
      "neoengine.dev/neoprovider": "gpu-farm",
      "neoengine.dev/node": "gpu-node-1",
      "app.kubernetes.io/managed-by": "neoengine-operator",
    });
    expect(pod.metadata.annotations["neoengine.dev/job-id"]).toBe("job_AbC123xyz");
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchFields: [{ key: "metadata.name", operator: "In", values: ["gpu-node-1"] }] },
    ]);
    expect(spec.tolerations).toEqual(ctx.tolerations);
  });

  it("sets requests = limits including the GPUs, the deadline and restartPolicy Never", () => {
    expect(container.resources).toEqual({
      requests: { cpu: "4", memory: "16Gi", "nvidia.com/gpu": "2" },
      limits: { cpu: "4", memory: "16Gi", "nvidia.com/gpu": "2" },
    });
    expect(spec.activeDeadlineSeconds).toBe(3600);
    expect(spec.restartPolicy).toBe("Never");
    expect(container.image).toBe("ghcr.io/example/train:1.0");
    expect(container.command).toEqual(["python", "train.py"]);
    expect(container.args).toEqual(["--epochs", "3"]);
  });

  it("isolates: non-root fixed UID, no capabilities, no escalation, seccomp, read-only rootfs with /tmp", () => {
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      seccompProfile: { type: "RuntimeDefault" },
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
    });
    expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(spec.volumes).toEqual([{ name: "tmp", emptyDir: {} }]);
  });

  it("isolates: no token, dedicated ServiceAccount, no host namespaces, no service links", () => {
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.serviceAccountName).toBe("neoengine-job");
    expect(spec.hostNetwork).toBe(false);
    expect(spec.hostPID).toBe(false);
    expect(spec.hostIPC).toBe(false);
    expect(spec.enableServiceLinks).toBe(false);
    expect(spec.runtimeClassName).toBeUndefined();
  });

  it("passes env only as plain values and mounts nothing from the cluster", () => {
    expect(container.env).toEqual([
      { name: "EPOCHS", value: "3" },
      { name: "MODE", value: "fast" },
      { name: "HOME", value: "/tmp" },
    ]);
    expect(container.envFrom).toBeUndefined();
    const json = JSON.stringify(pod);
    for (const forbidden of ["valueFrom", "secretKeyRef", "configMapKeyRef", "secret\":", "configMap\":", "hostPath", "projected"]) {
      expect(json).not.toContain(forbidden);
    }
  });

  it("uses runtimeClassName, amd.com/gpu, and the image's user when root is allowed", () => {
    const p = buildJobPod(assignment({ env: { HOME: "/work" } }), {
      ...ctx,
      gpuResource: "amd.com/gpu",
      runtimeClassName: "gvisor",
      allowRootContainers: true,
      tmpSizeLimit: "10Gi",
    }) as Obj;
    expect(p.spec.runtimeClassName).toBe("gvisor");
    expect(p.spec.containers[0].resources.limits["amd.com/gpu"]).toBe("2");
    expect(p.spec.securityContext.runAsNonRoot).toBe(false);
    expect(p.spec.securityContext.runAsUser).toBeUndefined();
    expect(p.spec.containers[0].securityContext.capabilities).toEqual({ drop: ["ALL"] });
    expect(p.spec.containers[0].env).toEqual([{ name: "HOME", value: "/work" }]);
    expect(p.spec.volumes[0].emptyDir).toEqual({ sizeLimit: "10Gi" });
  });

  it("omits GPUs for CPU jobs and refuses GPU jobs on a GPU-less node", () => {
    const cpu = buildJobPod(assignment({ resources: { cpu: 0.5, memory: "512Mi", gpu: 0 } }), { ...ctx, gpuResource: undefined }) as Obj;
    expect(cpu.spec.containers[0].resources.limits).toEqual({ cpu: "500m", memory: "512Mi" });
    expect(() => buildJobPod(assignment(), { ...ctx, gpuResource: undefined })).toThrow(/needs 2 GPU/);
  });

  it("omits command/args when the job uses the image's entrypoint", () => {
    const p = buildJobPod(assignment({ command: [], args: [] }), ctx) as Obj;
    expect(p.spec.containers[0].command).toBeUndefined();
    expect(p.spec.containers[0].args).toBeUndefined();
  });
});

describe("names and values", () => {
  it("pod names are DNS-1123, deterministic and keep ids differing in case apart", () => {
    const a = podNameFor("job_AbC");
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(podNameFor("job_AbC")).toBe(a);
    expect(podNameFor("job_abc")).not.toBe(a);
  });

  it("label values are valid", () => {
    expect(labelValue("job_AbC")).toBe("job_AbC");
    expect(labelValue("-a/b-")).toBe("a-b");
    expect(labelValue("x".repeat(80)).length).toBe(63);
  });

  it("deadline is the timeout rounded up, at least 1s", () => {
    expect(deadlineSeconds({ timeoutSeconds: 90.2 })).toBe(91);
    expect(deadlineSeconds({ timeoutSeconds: 0 })).toBe(1);
  });
});
