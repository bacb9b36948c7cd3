import {
  Controller,
  EventRecorder,
  Informer,
  kubeListerWatcher,
  realClock,
  Resources,
  silentLogger,
  type Clock,
  type ControllerMetrics,
  type KubeClient,
  type KubeObject,
  type Logger,
  type WorkqueueMetrics,
} from "../../kube/index.js";
import type { NeoEngineClient, RequestEvent, TokenSource } from "../../neoengine/index.js";
import { ProviderClients } from "./credentials.js";
import { JobRunner } from "./job-runner.js";
import { COMPONENT_LABEL, JOB_COMPONENT, MANAGED_BY_LABEL, MANAGED_BY_VALUE, NEOPROVIDER_LABEL } from "./labels.js";
import { DEFAULT_OPTIONS, type NeoProviderOptions } from "./options.js";
import { PodsByNode, slimPod } from "./pod-index.js";
import { ProviderReconciler, type ProviderHooks } from "./provider-reconciler.js";

// Entry point of the provider side: informers on NeoProviders, Nodes and Pods, two controllers
// (NeoProviders; job Pods), the per-node agents. Start it only while leading (it heartbeats and
// creates Pods); stop() halts the loops without deregistering, so a new leader resumes the same
// providers and Pods.

export interface NeoProviderControllerDeps {
  kube: KubeClient;
  /** Base URL of the NeoEngine API (with or without the /v1 suffix). */
  neoengineUrl: string;
  /** Operator-wide token for NeoProviders without credentialsSecretRef (must be provider-scoped). */
  defaultToken?: TokenSource;
  /** Builds NeoEngine clients (default: a NeoEngineClient per credential). */
  createClient?: (opts: { baseUrl: string; token: TokenSource; credential: string }) => NeoEngineClient;
  /** Per-request hook of the default clients (metrics). */
  onRequest?: (event: RequestEvent) => void;
  options?: Partial<NeoProviderOptions>;
  clock?: Clock;
  logger?: Logger;
  metrics?: ControllerMetrics & WorkqueueMetrics;
  /** reportingInstance of Events (e.g. the Pod name). */
  identity?: string;
  /** Called with the time from assignment seen to job Pod created (ms). */
  onPodCreated?: (ms: number) => void;
  /** Metric hooks: node rows per NeoProvider, heartbeat failures, NeoProvider removed. */
  hooks?: ProviderHooks;
}

export interface NeoProviderController {
  readonly reconciler: ProviderReconciler;
  readonly jobs: JobRunner;
  /** Stops informers, queues and node loops (nodes stay registered; jobs keep running). */
  stop(): Promise<void>;
}

export const JOB_POD_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${COMPONENT_LABEL}=${JOB_COMPONENT}`;

export async function startNeoProviderController(deps: NeoProviderControllerDeps): Promise<NeoProviderController> {
  const clock = deps.clock ?? realClock;
  const log = deps.logger ?? silentLogger;
  const options: NeoProviderOptions = { ...DEFAULT_OPTIONS, ...deps.options };
  const kube = deps.kube;

  const neoProviders = new Informer<KubeObject>({ listerWatcher: kubeListerWatcher(kube, Resources.neoProvider), clock, logger: log });
  const nodes = new Informer<KubeObject>({ listerWatcher: kubeListerWatcher(kube, Resources.node), clock, logger: log });
  // Every non-terminated Pod (slimmed): free capacity of the sold nodes.
  const allPods = new Informer<KubeObject>({
    listerWatcher: kubeListerWatcher(kube, Resources.pod, { fieldSelector: "status.phase!=Succeeded,status.phase!=Failed" }),
    clock,
    logger: log,
    transform: slimPod,
  });
  // Job Pods in every phase: their lifecycle is what we report.
  const jobPods = new Informer<KubeObject>({
    listerWatcher: kubeListerWatcher(kube, Resources.pod, { labelSelector: JOB_POD_SELECTOR }),
    clock,
    logger: log,
  });
  const podsByNode = new PodsByNode(allPods);

  const recorder = new EventRecorder(kube, {
    reportingController: "neoengine.dev/neoprovider-controller",
    reportingInstance: deps.identity ?? "neoengine-operator",
    clock,
    logger: log,
  });
  const event = (npName: string, type: "Normal" | "Warning", reason: string, note: string) => {
    const obj = neoProviders.store.get(npName);
    if (obj) void recorder.record({ ...obj, apiVersion: obj.apiVersion ?? Resources.neoProvider.apiVersion, kind: Resources.neoProvider.kind }, type, reason, note);
  };

  const clients = new ProviderClients(
    kube,
    { neoengineUrl: deps.neoengineUrl, defaultToken: deps.defaultToken, createClient: deps.createClient, onRequest: deps.onRequest },
    clock,
  );

  // The controllers and the reconcilers refer to each other; the closures below run only after
  // all of them exist.
  const late: { providerController?: Controller; podController?: Controller; reconciler?: ProviderReconciler } = {};
  const jobs = new JobRunner({
    kube,
    clock,
    log,
    options,
    jobPods,
    owner: (providerId) => late.reconciler?.owner(providerId),
    neoProviderExists: (name) => neoProviders.store.has(name),
    nodeExists: (name) => nodes.store.has(name),
    event: (npName, type, reason, note) => {
      event(npName, type, reason, note);
      if (reason.startsWith("JobSucceeded") || reason.startsWith("JobFailed") || reason.startsWith("JobTimedOut")) {
        late.reconciler?.invalidateEarnings(npName);
        late.providerController?.enqueue(npName, 500);
      }
    },
    enqueuePod: (key, afterMs) => late.podController?.enqueue(key, afterMs ?? 0),
    ...(deps.onPodCreated ? { onPodCreated: deps.onPodCreated } : {}),
  });
  const reconciler = new ProviderReconciler({
    kube,
    clock,
    log,
    options,
    clients,
    neoProviders,
    nodes,
    podsByNode,
    jobs,
    enqueue: (name, afterMs) => late.providerController?.enqueue(name, afterMs ?? 0),
    event,
    ...(deps.hooks ? { hooks: deps.hooks } : {}),
  });

  const allNeoProviders = () => neoProviders.store.keys();
  const providerController = new Controller({
    name: "neoprovider",
    informer: neoProviders,
    reconcile: (key) => reconciler.reconcile(key),
    watches: [
      { informer: nodes, mapToKeys: allNeoProviders },
      { informer: jobPods, mapToKeys: (pod) => (pod.metadata.labels?.[NEOPROVIDER_LABEL] ? [pod.metadata.labels[NEOPROVIDER_LABEL]] : []) },
    ],
    workers: Math.max(1, Math.min(options.workers, 2)),
    clock,
    logger: log,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const podController = new Controller({
    name: "neoprovider-jobs",
    informer: jobPods,
    reconcile: (key) => jobs.reconcilePod(key),
    workers: options.workers,
    clock,
    logger: log,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });

  Object.assign(late, { providerController, podController, reconciler });
  for (const inf of [neoProviders, nodes, allPods, jobPods]) inf.start();
  await Promise.all([neoProviders, nodes, allPods, jobPods].map((i) => i.waitForSync()));
  // Pods first: the provider reconcile counts them when it decides what each node may do.
  await podController.start();
  await providerController.start();
  log.info({ neoProviders: neoProviders.store.size, nodes: nodes.store.size }, "neoprovider controller started");

  return {
    reconciler,
    jobs,
    async stop() {
      await providerController.stop();
      await podController.stop();
      await reconciler.stopAll();
      await Promise.all([neoProviders, nodes, allPods, jobPods].map((i) => i.stop()));
      await clients.close();
    },
  };
}
