// Public surface of src/kube: the only code that talks to the apiserver.
export { KubeClient, KubeRequestTimeoutError, loadKubeConfig, type KubeClientOptions, type KubeClientSource } from "./client/kube-client.js";
export { HttpMethod, PatchContentType } from "./client/http-method.js";
export { loadKubeConnection, inClusterConnection, SERVICE_ACCOUNT_DIR, type LoadKubeConnectionOptions } from "./client/load-connection.js";
export { isKubeConnection, type KubeConnection, type KubeCredentials, type TlsMaterial } from "./client/connection.js";
export type { DeleteOptions, ListOptions, ListResult, RequestOptions, WatchEvent, WatchHandle, WatchOptions } from "./client/kube-client.js";
export { KubeApiError, isAlreadyExists, isConflict, isGone, isInvalid, isNotFound, statusCodeOf, toKubeApiError } from "./client/errors.js";
export { Resources, collectionPath, keyOf, objectPath, refOfKey, refOfObject, type ObjectRef, type ResourceType } from "./client/resource.js";

export { realClock, sleep, jitter, type Clock, type TimerHandle } from "./clock/clock.js";
export { FakeClock } from "./clock/fake-clock.js";

export { Informer, type InformerOptions, type InformerStats, type WatchOutcome } from "./informer/informer.js";
export { kubeListerWatcher, type KubeListerWatcherOptions, type ListerWatcher } from "./informer/lister-watcher.js";
export { Store } from "./informer/store.js";
export { refOf, type EventHandlers, type KubeObject } from "./informer/types.js";

export { WorkQueue, runWorkers, type WorkQueueOptions } from "./workqueue/workqueue.js";
export {
  ItemExponentialBackoff,
  MaxOfRateLimiter,
  TokenBucket,
  defaultControllerRateLimiter,
  type DefaultRateLimiterOptions,
  type RateLimiter,
} from "./workqueue/rate-limiter.js";

export { LeaderElector, type LeaderElectorOptions } from "./leader/elector.js";
export { KubeLeaseStore, leaseSpecOf, type LeaderRecord, type LeaseStore, type StoredRecord } from "./leader/lease-store.js";
export { formatMicroTime, parseMicroTime } from "./leader/micro-time.js";

export { addFinalizer, hasFinalizer, removeFinalizer } from "./helpers/finalizers.js";
export { patchStatus, updateStatus, type PatchStatusOptions } from "./helpers/status.js";
export { EventRecorder, type EventRecorderOptions, type EventType } from "./helpers/events.js";
export { installAdmissionPolicies, installCrds } from "./helpers/crds.js";

export { Controller, type ControllerOptions, type SecondaryWatch } from "./controller/controller.js";
export { done, requeueAfter, type Action, type Reconciler } from "./controller/action.js";

export {
  silentLogger,
  type ControllerMetrics,
  type InformerMetrics,
  type LeaderElectionMetrics,
  type Logger,
  type ReconcileResult,
  type WorkqueueMetrics,
} from "./metrics.js";
