// Provider-side gauges from a NeoProvider's node list (the same data as its status.nodes).

import { operatorMetrics, type OperatorMetrics } from "../registry.js";

export const PROVIDER_NODE_STATES = ["Registering", "Online", "Draining", "Withdrawn", "Offline", "Error"] as const;

export interface ProviderNodeSample {
  state: string;
  gpus: number;
  freeGpus: number;
  runningJobs?: number;
}

/** Sets node counts by state (every known state, 0 when empty), GPUs total/free/busy and running jobs. */
export function setProviderNodes(provider: string, nodes: readonly ProviderNodeSample[], metrics: OperatorMetrics = operatorMetrics()): void {
  const { m } = metrics;
  const byState = new Map<string, number>();
  let gpus = 0;
  let free = 0;
  let running = 0;
  for (const node of nodes) {
    byState.set(node.state, (byState.get(node.state) ?? 0) + 1);
    // Only capacity actually offered counts: a withdrawn or offline node sells nothing.
    if (node.state === "Online" || node.state === "Draining") {
      gpus += node.gpus;
      free += Math.min(node.freeGpus, node.gpus);
    }
    running += node.runningJobs ?? 0;
  }
  for (const state of new Set<string>([...PROVIDER_NODE_STATES, ...byState.keys()])) {
    m.providerNodes.set({ provider, state }, byState.get(state) ?? 0);
  }
  m.providerGpusTotal.set({ provider }, gpus);
  m.providerGpusFree.set({ provider }, free);
  m.providerGpusBusy.set({ provider }, gpus - free);
  m.providerJobsRunning.set({ provider }, running);
  m.heartbeatFailures.inc({ provider }, 0);
}

export function recordHeartbeatFailure(provider: string, metrics: OperatorMetrics = operatorMetrics()): void {
  metrics.m.heartbeatFailures.inc({ provider });
}

/** Drops every series of a deleted NeoProvider. */
export function removeProvider(provider: string, metrics: OperatorMetrics = operatorMetrics()): void {
  const { m } = metrics;
  for (const state of PROVIDER_NODE_STATES) m.providerNodes.remove({ provider, state });
  for (const g of [m.providerGpusTotal, m.providerGpusFree, m.providerGpusBusy, m.providerJobsRunning]) g.remove({ provider });
  m.heartbeatFailures.remove({ provider });
}

/**
 * The NeoProvider controller's hooks (ProviderHooks in src/controllers/neoprovider) wired to
 * these gauges: `startNeoProviderController({ ..., hooks: providerHooks() })`. Typed
 * structurally so src/metrics does not depend on the controller.
 */
export function providerHooks(metrics: OperatorMetrics = operatorMetrics()): {
  onNodes(neoProvider: string, nodes: readonly ProviderNodeSample[]): void;
  onHeartbeatFailure(neoProvider: string): void;
  onRemoved(neoProvider: string): void;
} {
  return {
    onNodes: (neoProvider, nodes) => setProviderNodes(neoProvider, nodes, metrics),
    onHeartbeatFailure: (neoProvider) => recordHeartbeatFailure(neoProvider, metrics),
    onRemoved: (neoProvider) => removeProvider(neoProvider, metrics),
  };
}
