import type { V1Node } from "@kubernetes/client-node";

/** The taint every fake node carries so that only pods meant for it land there. */
export const KWOK_TAINT = { key: "kwok.x-k8s.io/node", value: "fake", effect: "NoSchedule" } as const;
export const KWOK_TOLERATION = { key: "kwok.x-k8s.io/node", operator: "Exists", effect: "NoSchedule" } as const;

export interface FakeGpuNodeOptions {
  gpus: number;
  /** GPU Feature Discovery product label, e.g. NVIDIA-A100-SXM4-80GB. Default that. */
  product?: string;
  /** nvidia.com/gpu.memory label in MiB. Default 81920. */
  memoryMiB?: number;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  /** The extended resource; amd.com/gpu for AMD nodes. Default nvidia.com/gpu. */
  resource?: string;
}

/**
 * A Node that kwok manages (annotation kwok.x-k8s.io/node=fake) with GPUs in capacity and
 * allocatable, and the labels GPU Feature Discovery puts on real GPU nodes.
 */
export function fakeGpuNode(name: string, opts: FakeGpuNodeOptions): V1Node {
  const resources = {
    cpu: opts.cpu ?? "32",
    memory: opts.memory ?? "256Gi",
    pods: "110",
    [opts.resource ?? "nvidia.com/gpu"]: String(opts.gpus),
  };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { "kwok.x-k8s.io/node": "fake" },
      labels: {
        type: "kwok",
        "kubernetes.io/hostname": name,
        "nvidia.com/gpu.product": opts.product ?? "NVIDIA-A100-SXM4-80GB",
        "nvidia.com/gpu.memory": String(opts.memoryMiB ?? 81920),
        "nvidia.com/gpu.count": String(opts.gpus),
        ...opts.labels,
      },
    },
    spec: { taints: [{ ...KWOK_TAINT }] },
    status: { allocatable: resources, capacity: resources },
  };
}
