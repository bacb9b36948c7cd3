// One prom-client Registry per operator process: Node's default process metrics plus the
// catalog. Collect-time sources (rate budgets, NeoJob phases) are read on every scrape, so
// gauges are never stale and nothing has to remember to update them.

import { collectDefaultMetrics, Registry } from "prom-client";
import { createCatalog, type MetricCatalog } from "./catalog.js";

export interface OperatorMetrics {
  readonly registry: Registry;
  readonly m: MetricCatalog;
  /**
   * Registers a function run before every scrape (e.g. copy the rate budget into gauges).
   * Returns a function that removes it. A throwing source is skipped so a scrape never fails.
   */
  onCollect(source: () => void): () => void;
  /** The Prometheus text exposition (runs the collect sources first). */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface OperatorMetricsOptions {
  /** Node's default process_* and nodejs_* metrics. Default true. */
  defaultMetrics?: boolean;
}

export function createOperatorMetrics(options: OperatorMetricsOptions = {}): OperatorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const m = createCatalog(registry);
  const sources = new Set<() => void>();

  const runSources = () => {
    for (const source of sources) {
      try {
        source();
      } catch {
        // A broken source must not take /metrics down; its gauges keep their last value.
      }
    }
  };

  return {
    registry,
    m,
    contentType: registry.contentType,
    onCollect(source) {
      sources.add(source);
      return () => {
        sources.delete(source);
      };
    },
    async render() {
      runSources();
      return registry.metrics();
    },
  };
}

let processMetrics: OperatorMetrics | undefined;

/** The process-wide instance the operator entry point serves on /metrics. */
export function operatorMetrics(): OperatorMetrics {
  processMetrics ??= createOperatorMetrics();
  return processMetrics;
}
