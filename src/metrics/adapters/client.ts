// Plugs the NeoEngine client into the metrics: the transport's onRequest hook and the rate
// limiter's budget. `credential` is a NON-secret name for the token (e.g. "default" or
// "<namespace>/<secret name>") — never the token itself.

import type { Budget, RequestEvent } from "../../neoengine/index.js";
import { operatorMetrics, type OperatorMetrics } from "../registry.js";

/** Use as `new NeoEngineClient({ ..., onRequest: clientRequestHook() })`. */
export function clientRequestHook(metrics: OperatorMetrics = operatorMetrics()): (event: RequestEvent) => void {
  const { m } = metrics;
  return (event) => {
    m.apiRequests.inc({ endpoint: event.endpoint, method: event.method, code: String(event.status) });
    m.apiRequestDuration.observe({ endpoint: event.endpoint, method: event.method }, event.durationMs / 1000);
    if (event.status === 429) m.apiRateLimited.inc({ endpoint: event.endpoint });
  };
}

/** Copies a budget into neoengine_rate_limit_remaining / _limit (unknown values are left out). */
export function setRateBudget(credential: string, budget: Budget, metrics: OperatorMetrics = operatorMetrics()): void {
  const { m } = metrics;
  for (const window of ["minute", "day"] as const) {
    const w = budget[window];
    if (w.remaining !== null) m.rateLimitRemaining.set({ credential, window }, w.remaining);
    else m.rateLimitRemaining.remove({ credential, window });
    if (w.limit !== null) m.rateLimitLimit.set({ credential, window }, w.limit);
    else m.rateLimitLimit.remove({ credential, window });
  }
}

/**
 * Reads `budget()` (e.g. `() => limiter.budget()`) on every scrape. Returns a function that
 * stops tracking and removes the credential's series (call it when a credential goes away).
 */
export function trackRateBudget(credential: string, budget: () => Budget, metrics: OperatorMetrics = operatorMetrics()): () => void {
  const stop = metrics.onCollect(() => setRateBudget(credential, budget(), metrics));
  return () => {
    stop();
    for (const window of ["minute", "day"] as const) {
      metrics.m.rateLimitRemaining.remove({ credential, window });
      metrics.m.rateLimitLimit.remove({ credential, window });
    }
  };
}
