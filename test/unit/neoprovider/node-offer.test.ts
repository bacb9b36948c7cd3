import { describe, expect, it } from "vitest";
import { describeNode, isSelected, pricesFor } from "../../../src/controllers/neoprovider/model/node-offer.js";
import { freeCapacity, podRequests } from "../../../src/controllers/neoprovider/model/capacity.js";
import { tolerates } from "../../../src/controllers/neoprovider/model/tolerations.js";
import { gpuNode, podOn } from "./fixtures.js";

const KWOK = { key: "kwok.x-k8s.io/node", value: "fake", effect: "NoSchedule" };
const spec = { prices: { cpu: "0.05", memory: "0.01", gpu: { "nvidia-a100": "2.0", "nvidia-h100": "3.5" } } };

describe("node selection", () => {
  it("defaults to nodes with allocatable nvidia.com/gpu or amd.com/gpu", () => {
    expect(isSelected(gpuNode("a", { gpus: 4 }), {})).toBe(true);
    expect(isSelected(gpuNode("b", { gpus: 0 }), {})).toBe(false);
    expect(isSelected(gpuNode("c", { gpus: 2, resource: "amd.com/gpu" }), {})).toBe(true);
  });

  it("uses spec.nodeSelector when set (all labels must match)", () => {
    const node = gpuNode("a", { labels: { pool: "sell", zone: "x" } });
    expect(isSelected(node, { nodeSelector: { pool: "sell" } })).toBe(true);
    expect(isSelected(node, { nodeSelector: { pool: "sell", zone: "y" } })).toBe(false);
    expect(isSelected(gpuNode("cpu-only", { gpus: 0, labels: { pool: "sell" } }), { nodeSelector: { pool: "sell" } })).toBe(true);
  });

  it("drops nodes being deleted", () => {
    const node = gpuNode("a");
    node.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
    expect(isSelected(node, {})).toBe(false);
  });
});

describe("describeNode", () => {
  it("reads resources, model, GPU memory and prices of a Ready node", () => {
    const offer = describeNode(gpuNode("a", { gpus: 8, product: "NVIDIA-H100-80GB-HBM3" }), spec, []);
    expect(offer).toEqual({
      name: "a",
      cpuMillis: 32000,
      memoryBytes: 256 * 2 ** 30,
      gpus: 8,
      gpuResource: "nvidia.com/gpu",
      gpuProduct: "NVIDIA-H100-80GB-HBM3",
      gpuModel: "nvidia-h100",
      gpuMemoryBytes: 81920 * 2 ** 20,
      prices: { cpu: "0.05", memory: "0.01", gpu: "3.5" },
      sellable: true,
    });
  });

  it("withdraws NotReady, cordoned and NoSchedule-tainted nodes with a reason", () => {
    expect(describeNode(gpuNode("a", { ready: false }), spec, [])).toMatchObject({ sellable: false, reason: "node is NotReady" });
    expect(describeNode(gpuNode("a", { unschedulable: true }), spec, [])).toMatchObject({ sellable: false, reason: "node is cordoned" });
    expect(describeNode(gpuNode("a", { taints: [KWOK] }), spec, [])).toMatchObject({
      sellable: false,
      reason: "node has taint kwok.x-k8s.io/node=fake:NoSchedule",
    });
  });

  it("keeps a node whose taint the job Pods tolerate (dedicated-node taint)", () => {
    const dedicated = { key: "neoengine.dev/dedicated", value: "true", effect: "NoSchedule" };
    const offer = describeNode(gpuNode("a", { taints: [dedicated, { key: "x", effect: "PreferNoSchedule" }] }), spec, [
      { key: "neoengine.dev/dedicated", operator: "Exists" },
    ]);
    expect(offer.sellable).toBe(true);
  });

  it("withdraws a node whose model has no price, and uses the 'default' price key", () => {
    const l4 = gpuNode("a", { product: "NVIDIA-L4" });
    expect(describeNode(l4, spec, [])).toMatchObject({ sellable: false, gpuModel: "nvidia-l4" });
    expect(describeNode(l4, spec, []).reason).toMatch(/no price for GPU model nvidia-l4/);
    const withDefault = { prices: { gpu: { default: "0.8" } } };
    expect(describeNode(l4, withDefault, [])).toMatchObject({ sellable: true, prices: { cpu: "0", memory: "0", gpu: "0.8" } });
  });

  it("honours gpuModelOverrides", () => {
    const offer = describeNode(gpuNode("a", { product: "Weird-Board" }), { ...spec, gpuModelOverrides: { "Weird-Board": "nvidia-a100" } }, []);
    expect(offer).toMatchObject({ gpuModel: "nvidia-a100", sellable: true });
  });

  it("withdraws a GPU node without a product label", () => {
    const node = gpuNode("a");
    delete node.metadata.labels!["nvidia.com/gpu.product"];
    expect(describeNode(node, spec, []).reason).toMatch(/GPU model unknown/);
  });

  it("withdraws a GPU-labelled node without allocatable GPUs, sells a plain CPU node", () => {
    expect(describeNode(gpuNode("a", { gpus: 0 }), spec, []).reason).toMatch(/no allocatable GPUs/);
    const cpu = gpuNode("c", { gpus: 0 });
    delete cpu.metadata.labels!["nvidia.com/gpu.product"];
    expect(describeNode(cpu, spec, [])).toMatchObject({ sellable: true, gpus: 0, prices: { gpu: "0" } });
  });

  it("prices a GPU-less node without needing a GPU price", () => {
    expect(pricesFor({ cpu: "0.1" }, undefined, 0)).toEqual({ cpu: "0.1", memory: "0", gpu: "0" });
    expect(pricesFor({ gpu: { constructor: "1" } }, "toString", 1)).toBeUndefined();
  });
});

describe("tolerations", () => {
  it("match like the scheduler", () => {
    expect(tolerates({ operator: "Exists" }, KWOK)).toBe(true);
    expect(tolerates({ key: "kwok.x-k8s.io/node", operator: "Exists", effect: "NoSchedule" }, KWOK)).toBe(true);
    expect(tolerates({ key: "kwok.x-k8s.io/node", operator: "Equal", value: "fake" }, KWOK)).toBe(true);
    expect(tolerates({ key: "kwok.x-k8s.io/node", operator: "Equal", value: "real" }, KWOK)).toBe(false);
    expect(tolerates({ key: "kwok.x-k8s.io/node", operator: "Exists", effect: "NoExecute" }, KWOK)).toBe(false);
  });
});

describe("free capacity", () => {
  const allocatable = { cpuMillis: 32000, memoryBytes: 256 * 2 ** 30, gpus: 8 };

  it("subtracts requests of non-terminated pods", () => {
    const pods = [
      podOn("a", { cpu: "4", memory: "16Gi", "nvidia.com/gpu": "2" }),
      podOn("a", { cpu: "500m", memory: "512Mi" }, "Pending"),
      podOn("a", { cpu: "8", memory: "32Gi", "nvidia.com/gpu": "4" }, "Succeeded"),
      podOn("a", { cpu: "8", memory: "32Gi", "nvidia.com/gpu": "4" }, "Failed"),
    ];
    expect(freeCapacity(allocatable, pods, "nvidia.com/gpu")).toEqual({
      cpuMillis: 27500,
      memoryBytes: (256 - 16) * 2 ** 30 - 512 * 2 ** 20,
      gpus: 6,
    });
  });

  it("counts init containers and overhead like the scheduler, and never goes negative", () => {
    const pod = podOn("a", { cpu: "1", "nvidia.com/gpu": "1" });
    pod.spec!.initContainers = [{ name: "init", resources: { requests: { cpu: "3", "nvidia.com/gpu": "2" } } }];
    pod.spec!.overhead = { cpu: "250m" };
    expect(podRequests(pod, "nvidia.com/gpu")).toEqual({ cpuMillis: 3250, memoryBytes: 0, gpus: 2 });
    const huge = podOn("a", { cpu: "64", "nvidia.com/gpu": "16" });
    expect(freeCapacity(allocatable, [huge], "nvidia.com/gpu")).toMatchObject({ cpuMillis: 0, gpus: 0 });
  });
});
