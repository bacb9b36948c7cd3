// Implementations of the optional hook interfaces of src/kube (which never imports prom-client).
// Pass them to the kube runtime: `new Workqueue({ ..., metrics: workqueueMetrics() })`.

import type { ControllerMetrics, InformerMetrics, LeaderElectionMetrics, WorkqueueMetrics } from "../../kube/metrics.js";
import { operatorMetrics, type OperatorMetrics } from "../registry.js";

export function workqueueMetrics(metrics: OperatorMetrics = operatorMetrics()): Required<WorkqueueMetrics> {
  const { m } = metrics;
  return {
    add: (queue) => m.workqueueAdds.inc({ name: queue }),
    depth: (queue, depth) => m.workqueueDepth.set({ name: queue }, depth),
    queueDuration: (queue, seconds) => m.workqueueQueueDuration.observe({ name: queue }, seconds),
    workDuration: (queue, seconds) => m.workqueueWorkDuration.observe({ name: queue }, seconds),
    retry: (queue) => m.workqueueRetries.inc({ name: queue }),
  };
}

export function controllerMetrics(metrics: OperatorMetrics = operatorMetrics()): Required<ControllerMetrics> {
  const { m } = metrics;
  return {
    reconcile: (controller, result) => m.reconcileTotal.inc({ controller, result }),
    reconcileError: (controller) => m.reconcileErrors.inc({ controller }),
    reconcileTime: (controller, seconds) => m.reconcileTime.observe({ controller }, seconds),
    activeWorkers: (controller, n) => m.activeWorkers.set({ controller }, n),
  };
}

export function leaderElectionMetrics(metrics: OperatorMetrics = operatorMetrics()): Required<LeaderElectionMetrics> {
  const { m } = metrics;
  return {
    masterStatus: (name, leading) => m.leaderElectionMasterStatus.set({ name }, leading ? 1 : 0),
  };
}

export function informerMetrics(metrics: OperatorMetrics = operatorMetrics()): Required<InformerMetrics> {
  const { m } = metrics;
  return {
    relist: (resource, reason) => m.informerRelists.inc({ resource, reason }),
    watchRestart: (resource, reason) => m.informerWatchRestarts.inc({ resource, reason }),
    // Per-event counting would be the hottest path of the operator for little insight; the
    // relist and restart counters are what tell a broken watch apart from a healthy one.
    event: () => {},
  };
}

/**
 * Pre-creates the zero-valued series of a controller and its queue so dashboards and alerts
 * (e.g. rate(controller_runtime_reconcile_errors_total[5m])) see 0 rather than "no data"
 * before the first error — the same thing controller-runtime does at start.
 */
export function initControllerSeries(controller: string, queue: string = controller, metrics: OperatorMetrics = operatorMetrics()): void {
  const { m } = metrics;
  for (const result of ["success", "error", "requeue_after"] as const) m.reconcileTotal.inc({ controller, result }, 0);
  m.reconcileErrors.inc({ controller }, 0);
  m.activeWorkers.set({ controller }, 0);
  m.workqueueAdds.inc({ name: queue }, 0);
  m.workqueueRetries.inc({ name: queue }, 0);
  m.workqueueDepth.set({ name: queue }, 0);
}
