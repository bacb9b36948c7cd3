import type { NeoProviderSpec } from "../../../api/neoprovider.js";
import { GPU_MEMORY_LABEL, gpuProductOf, isGpuModelSlug, normaliseGpuModel } from "./gpu-model.js";
import type { NodeLike, Toleration } from "./kube-types.js";
import { cpuMillis, quantityUnits } from "./quantity.js";
import { untoleratedTaint } from "./tolerations.js";

// What one Kubernetes Node offers the network: whether the NeoProvider sells it at all, whether
// it can take jobs right now (or is withdrawn, and why), its resources, GPU model and prices.

/** Extended resources that count as GPUs, in order of preference. */
export const GPU_RESOURCES = ["nvidia.com/gpu", "amd.com/gpu"] as const;
export type GpuResource = (typeof GPU_RESOURCES)[number];

/** Key of spec.prices.gpu used for models without their own price. */
export const DEFAULT_GPU_PRICE_KEY = "default";

export interface Prices {
  cpu: string;
  memory: string;
  gpu: string;
}

export interface NodeOffer {
  name: string;
  /** Allocatable resources (what the kubelet offers pods). */
  cpuMillis: number;
  memoryBytes: number;
  gpus: number;
  /** Extended resource name of the node's GPUs (undefined when it has none). */
  gpuResource?: GpuResource;
  gpuProduct?: string;
  gpuModel?: string;
  gpuMemoryBytes?: number;
  /** Prices the node asks (credits per hour per unit); undefined when the spec has none for its model. */
  prices?: Prices;
  /** True when the node may take new jobs now. */
  sellable: boolean;
  /** Why it may not (NotReady, cordoned, tainted, no price, ...). */
  reason?: string;
}

/** Does the NeoProvider sell this node? spec.nodeSelector, else "has allocatable GPUs". */
export function isSelected(node: NodeLike, spec: Pick<NeoProviderSpec, "nodeSelector">): boolean {
  if (node.metadata.deletionTimestamp) return false;
  const selector = spec.nodeSelector;
  if (selector && Object.keys(selector).length > 0) {
    const labels = node.metadata.labels ?? {};
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
  }
  return gpuAllocatable(node).gpus > 0;
}

export function gpuAllocatable(node: NodeLike): { gpus: number; resource?: GpuResource } {
  for (const resource of GPU_RESOURCES) {
    const gpus = quantityUnits(node.status?.allocatable?.[resource]);
    if (gpus > 0) return { gpus, resource };
  }
  return { gpus: 0 };
}

export function isNodeReady(node: NodeLike): boolean {
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/**
 * Describes a selected node. `tolerations` are those job Pods carry: a node tainted NoSchedule
 * or NoExecute with a taint they do not tolerate is withdrawn (nothing could run there).
 */
export function describeNode(
  node: NodeLike,
  spec: Pick<NeoProviderSpec, "gpuModelOverrides" | "prices">,
  tolerations: Toleration[],
): NodeOffer {
  const allocatable = node.status?.allocatable ?? {};
  const { gpus, resource } = gpuAllocatable(node);
  const product = gpuProductOf(node.metadata.labels);
  const model = gpus > 0 ? normaliseGpuModel(product, spec.gpuModelOverrides ?? {}) : undefined;
  const memMiB = Number(node.metadata.labels?.[GPU_MEMORY_LABEL]);
  const offer: NodeOffer = {
    name: node.metadata.name,
    cpuMillis: cpuMillis(allocatable.cpu),
    memoryBytes: quantityUnits(allocatable.memory),
    gpus,
    ...(resource ? { gpuResource: resource } : {}),
    ...(product ? { gpuProduct: product } : {}),
    ...(model ? { gpuModel: model.slug } : {}),
    ...(gpus > 0 && Number.isFinite(memMiB) && memMiB > 0 ? { gpuMemoryBytes: Math.round(memMiB) * 2 ** 20 } : {}),
    sellable: false,
  };
  const prices = pricesFor(spec.prices, offer.gpuModel, gpus);
  if (prices) offer.prices = prices;
  offer.reason = withdrawReason(node, offer, tolerations);
  offer.sellable = offer.reason === undefined;
  if (offer.sellable) delete offer.reason;
  return offer;
}

function withdrawReason(node: NodeLike, offer: NodeOffer, tolerations: Toleration[]): string | undefined {
  if (!isNodeReady(node)) return "node is NotReady";
  if (node.spec?.unschedulable) return "node is cordoned";
  const taint = untoleratedTaint(node.spec?.taints, tolerations);
  if (taint) return `node has taint ${taint.key}${taint.value ? `=${taint.value}` : ""}:${taint.effect}`;
  // A GPU node whose device plugin reports nothing (yet) is not a CPU node to sell.
  if (offer.gpus === 0 && offer.gpuProduct) return "node has a GPU product label but no allocatable GPUs (is the device plugin running?)";
  if (offer.gpus > 0 && !offer.gpuModel) return "GPU model unknown: no GPU product label; set spec.gpuModelOverrides or label the node";
  if (offer.gpuModel && !isGpuModelSlug(offer.gpuModel)) return `GPU model override ${JSON.stringify(offer.gpuModel)} is not a model slug`;
  if (!offer.prices) return `no price for GPU model ${offer.gpuModel ?? "?"} in spec.prices.gpu (nor a "${DEFAULT_GPU_PRICE_KEY}" entry)`;
  if (offer.cpuMillis < 1000) return "node has less than 1 allocatable CPU";
  if (offer.memoryBytes <= 0) return "node has no allocatable memory";
  return undefined;
}

/** The node's asks: cpu and memory from the spec (0 when absent), gpu by model slug. */
export function pricesFor(prices: NeoProviderSpec["prices"], gpuModel: string | undefined, gpus: number): Prices | undefined {
  let gpu = "0";
  if (gpus > 0) {
    const table = prices.gpu ?? {};
    const own = (key: string | undefined) => (key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined);
    const ask = own(gpuModel) ?? own(DEFAULT_GPU_PRICE_KEY);
    if (ask === undefined) return undefined;
    gpu = ask;
  }
  return { cpu: prices.cpu ?? "0", memory: prices.memory ?? "0", gpu };
}
