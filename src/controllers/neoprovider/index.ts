// Public surface of the provider side (NeoProvider controller).
export { startNeoProviderController, JOB_POD_SELECTOR, type NeoProviderController, type NeoProviderControllerDeps } from "./controller.js";
export { DEFAULT_OPTIONS as NEOPROVIDER_DEFAULT_OPTIONS, type NeoProviderOptions } from "./options.js";
export { DEREGISTER_FINALIZER, type ProviderHooks } from "./provider-reconciler.js";
export * from "./labels.js";
export { normaliseGpuModel } from "./model/gpu-model.js";
export { buildJobPod, podNameFor } from "./build/job-pod.js";
export { buildJobNamespaceObjects, BLOCKED_IPV4, BLOCKED_IPV6 } from "./build/job-namespace.js";
