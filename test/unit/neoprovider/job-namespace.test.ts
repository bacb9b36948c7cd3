import { describe, expect, it } from "vitest";
import { BLOCKED_IPV4, BLOCKED_IPV6, buildJobNamespaceObjects } from "../../../src/controllers/neoprovider/build/job-namespace.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const opts = {
  namespace: "neoengine-jobs",
  neoProviderName: "gpu-farm",
  allowRootContainers: false,
  quota: { pods: 16, cpuMillis: 64000, memoryBytes: 512 * 2 ** 30, gpus: { "nvidia.com/gpu": 16 } },
  maxPerContainer: { cpuMillis: 32000, memoryBytes: 256 * 2 ** 30 },
};

describe("job namespace objects", () => {
  const [ns, sa, np, quota, limits] = buildJobNamespaceObjects(opts) as Obj[];

  it("enforces Pod Security restricted", () => {
    expect(ns!.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
    });
    const [rootNs] = buildJobNamespaceObjects({ ...opts, allowRootContainers: true }) as Obj[];
    expect(rootNs!.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("baseline");
    expect(rootNs!.metadata.labels["pod-security.kubernetes.io/warn"]).toBe("restricted");
  });

  it("has a ServiceAccount that mounts no token", () => {
    expect(sa).toMatchObject({ kind: "ServiceAccount", metadata: { name: "neoengine-job" }, automountServiceAccountToken: false });
  });

  it("denies all ingress and allows egress only to DNS and the public internet", () => {
    expect(np!.spec.podSelector).toEqual({});
    expect(np!.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np!.spec.ingress).toEqual([]);
    expect(np!.spec.egress).toHaveLength(2);
    expect(np!.spec.egress[0]).toEqual({ ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] });
    const blocks = np!.spec.egress[1].to.map((t: Obj) => t.ipBlock);
    expect(blocks[0].cidr).toBe("0.0.0.0/0");
    expect(blocks[0].except).toEqual(expect.arrayContaining(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "127.0.0.0/8"]));
    expect(blocks[1].cidr).toBe("::/0");
    expect(blocks[1].except).toEqual(expect.arrayContaining(["fc00::/7", "fe80::/10"]));
    expect(BLOCKED_IPV4).toHaveLength(6);
    expect(BLOCKED_IPV6).toContain("::1/128");
  });

  it("caps the namespace with a ResourceQuota sized to the sold nodes", () => {
    expect(quota!.spec.hard).toEqual({
      pods: "16",
      "requests.cpu": "64",
      "limits.cpu": "64",
      "requests.memory": "512Gi",
      "limits.memory": "512Gi",
      "requests.nvidia.com/gpu": "16",
      persistentvolumeclaims: "0",
      services: "0",
      "services.loadbalancers": "0",
      "services.nodeports": "0",
    });
  });

  it("gives containers default limits and a maximum of the largest node", () => {
    expect(limits!.spec.limits).toEqual([
      { type: "Container", default: { cpu: "1", memory: "1Gi" }, defaultRequest: { cpu: "1", memory: "1Gi" }, max: { cpu: "32", memory: "256Gi" } },
    ]);
  });
});
