// Public API of the operator's metrics. Import from "src/metrics/index.js".

export { createCatalog, type MetricCatalog } from "./catalog.js";
export { createOperatorMetrics, operatorMetrics, type OperatorMetrics, type OperatorMetricsOptions } from "./registry.js";
export { metricsHandler, parseListenAddress, serveMetrics, type MetricsServer } from "./http.js";
export { controllerMetrics, informerMetrics, initControllerSeries, leaderElectionMetrics, workqueueMetrics } from "./adapters/kube.js";
export { clientRequestHook, setRateBudget, trackRateBudget } from "./adapters/client.js";
export {
  NEOJOB_PHASES,
  observeSubmitToRunning,
  recordJobCost,
  setNeoJobSnapshot,
  trackNeoJobs,
  type NeoJobSample,
} from "./adapters/neojob.js";
export { setMarketPrices, setWalletBalance, setWalletEarnings } from "./adapters/market.js";
export {
  PROVIDER_NODE_STATES,
  providerHooks,
  recordHeartbeatFailure,
  removeProvider,
  setProviderNodes,
  type ProviderNodeSample,
} from "./adapters/provider.js";
export { creditsToNumber } from "./adapters/credits.js";
export { NeoJobObjectTracker, trackNeoJobObjects, type NeoJobObject } from "./adapters/neojob-objects.js";
export { setNeoProviderSnapshot, trackNeoProviders, type NeoProviderObject } from "./adapters/provider-objects.js";
export {
  startWalletMarketPoller,
  type WalletMarketClient,
  type WalletMarketPoller,
  type WalletMarketPollerOptions,
} from "./pollers/wallet-market.js";
