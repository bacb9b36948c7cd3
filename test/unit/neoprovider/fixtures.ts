import type { NodeLike, PodLike, Taint } from "../../../src/controllers/neoprovider/model/kube-types.js";
import type { Assignment } from "../../../src/neoengine/wire.js";

export function gpuNode(name: string, over: { gpus?: number; product?: string; resource?: string; ready?: boolean; unschedulable?: boolean; taints?: Taint[]; labels?: Record<string, string> } = {}): NodeLike {
  const resource = over.resource ?? "nvidia.com/gpu";
  return {
    metadata: {
      name,
      labels: { "nvidia.com/gpu.product": over.product ?? "NVIDIA-A100-SXM4-80GB", "nvidia.com/gpu.memory": "81920", ...over.labels },
    },
    spec: { unschedulable: over.unschedulable ?? false, taints: over.taints ?? [] },
    status: {
      allocatable: { cpu: "32", memory: "256Gi", pods: "110", [resource]: String(over.gpus ?? 8) },
      conditions: [{ type: "Ready", status: over.ready === false ? "False" : "True" }],
    },
  };
}

export function podOn(nodeName: string, requests: Record<string, string>, phase = "Running"): PodLike {
  return {
    metadata: { name: `p-${Math.random().toString(36).slice(2, 8)}` },
    spec: { nodeName, containers: [{ name: "c", resources: { requests, limits: requests } }] },
    status: { phase },
  };
}

export function assignment(over: Partial<Assignment> = {}): Assignment {
  return {
    jobId: "job_AbC123xyz",
    status: "scheduled",
    image: "ghcr.io/example/train:1.0",
    command: ["python", "train.py"],
    args: ["--epochs", "3"],
    env: { EPOCHS: "3", MODE: "fast" },
    resources: { cpu: 4, memory: "16Gi", gpu: 2, gpuModel: "nvidia-a100" },
    timeout: "1h",
    timeoutSeconds: 3600,
    price: "2.500000",
    scheduledAt: "2026-01-01T00:00:00.000Z",
    startedAt: null,
    ...over,
  };
}
