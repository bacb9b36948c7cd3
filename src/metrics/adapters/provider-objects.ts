// Provider gauges from the NeoProvider objects (the informer cache): status.nodes carries
// state, GPUs, free GPUs and running jobs per node, so the provider controller needs no metric
// calls for them. Deleted NeoProviders' series are removed.

import { operatorMetrics, type OperatorMetrics } from "../registry.js";
import { removeProvider, setProviderNodes, type ProviderNodeSample } from "./provider.js";

export interface NeoProviderObject {
  metadata: { name?: string };
  status?: unknown;
}

export function setNeoProviderSnapshot(objects: Iterable<NeoProviderObject>, known: Set<string>, metrics: OperatorMetrics = operatorMetrics()): void {
  const seen = new Set<string>();
  for (const o of objects) {
    const name = o.metadata.name;
    if (!name) continue;
    seen.add(name);
    const nodes = ((o.status as { nodes?: ProviderNodeSample[] } | undefined)?.nodes ?? []).filter(
      (n) => typeof n.state === "string" && Number.isFinite(n.gpus) && Number.isFinite(n.freeGpus),
    );
    setProviderNodes(name, nodes, metrics);
  }
  for (const name of known) if (!seen.has(name)) removeProvider(name, metrics);
  known.clear();
  for (const name of seen) known.add(name);
}

/** `trackNeoProviders(() => neoProviderInformer.store.list())`: read on every scrape. */
export function trackNeoProviders(snapshot: () => Iterable<NeoProviderObject>, metrics: OperatorMetrics = operatorMetrics()): () => void {
  const known = new Set<string>();
  return metrics.onCollect(() => setNeoProviderSnapshot(snapshot(), known, metrics));
}
