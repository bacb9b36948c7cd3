import { hostname } from "node:os";
import { pino, type Logger as PinoLogger } from "pino";
import { NeoJobReconciler } from "../controllers/neojob/reconciler.js";
import { startNeoProviderController, type NeoProviderController } from "../controllers/neoprovider/index.js";
import { NeoEngineClient, apiBaseUrl } from "../neoengine/index.js";
import {
  Controller,
  Informer,
  KubeClient,
  KubeLeaseStore,
  LeaderElector,
  kubeListerWatcher,
  loadKubeConnection,
  Resources,
  type KubeObject,
} from "../kube/index.js";
import {
  controllerMetrics,
  clientRequestHook,
  informerMetrics,
  initControllerSeries,
  leaderElectionMetrics,
  operatorMetrics,
  providerHooks,
  startWalletMarketPoller,
  trackNeoJobObjects,
  workqueueMetrics,
  type OperatorMetrics,
} from "../metrics/index.js";
import { SessionRegistry } from "./credentials/sessions.js";
import { fileToken, parseSecretRef, secretToken, staticToken, type TokenSource } from "./credentials/token-sources.js";
import { startHealthServer, startMetricsServer, type ListeningServer } from "./http-servers.js";
import { KubeNeoJobWriter } from "./kube-writer.js";
import type { OperatorOptions } from "./options.js";

// The operator's manager: informers (on every replica, so a standby has warm caches), then —
// while this replica leads, or always without leader election — the NeoJob controllers and one
// status poller per credential. Health and metrics servers run throughout. stop() is the
// graceful shutdown (SIGTERM): stop taking work, finish in-flight reconciles, release the lease.

export interface RunningOperator {
  readonly identity: string;
  readonly metricsPort: number | undefined;
  readonly healthPort: number | undefined;
  isLeader(): boolean;
  /** Resolves when the caches have synced. */
  readonly synced: Promise<void>;
  /** The active session registry while leading (tests and benchmark read poller counters). */
  sessions(): SessionRegistry | undefined;
  stop(): Promise<void>;
}

interface TokenChoice {
  /** Non-secret name of the credential (logs, metrics). */
  name: string;
  /** The flags, for the error when more than one is given. */
  flags: string;
  value?: string;
  secret?: string;
  file?: string;
}

/** One token source from at most one of a value, a Secret reference and a file. */
function tokenSource(choice: TokenChoice, kube: KubeClient, secretRefreshMs: number | undefined): TokenSource | undefined {
  const given = [choice.value, choice.secret, choice.file].filter((v) => v !== undefined && v !== "");
  if (given.length > 1) throw new Error(`give at most one of ${choice.flags}`);
  if (choice.value) return staticToken(choice.value, choice.name);
  if (choice.secret) return secretToken(kube, parseSecretRef(choice.secret), { refreshMs: secretRefreshMs, name: choice.name });
  if (choice.file) return fileToken(choice.file, choice.name);
  return undefined;
}

function namespaceOf(key: string): string {
  const i = key.indexOf("/");
  return i < 0 ? "" : key.slice(0, i);
}

export async function startOperator(opts: OperatorOptions): Promise<RunningOperator> {
  if (!opts.neoengineUrl) throw new Error("neoengineUrl (--neoengine-url) is required");
  const log: PinoLogger = opts.logger ?? pino({ name: "neoengine-operator", level: process.env.NEO_LOG_LEVEL ?? "info" });
  // A given KubeConfig is used as is; a path (or nothing) goes through the light loader (no client-node).
  const kube = new KubeClient(typeof opts.kubeconfig === "object" ? opts.kubeconfig : await loadKubeConnection(opts.kubeconfig));
  const metrics: OperatorMetrics = opts.metrics ?? operatorMetrics();
  const identity = opts.identity ?? `${hostname()}-${process.pid}`;
  const defaultToken = tokenSource(
    { name: "default", flags: "token, --token-secret and --token-file", value: opts.token, secret: opts.tokenSecret, file: opts.tokenFile },
    kube,
    opts.secretRefreshMs,
  );
  const providerToken = opts.neoProviders
    ? tokenSource(
        {
          name: "provider",
          flags: "providerToken, --provider-token-secret and --provider-token-file",
          value: opts.providerToken,
          secret: opts.providerTokenSecret,
          file: opts.providerTokenFile,
        },
        kube,
        opts.secretRefreshMs,
      )
    : undefined;
  if (!defaultToken) log.warn("no default token: only NeoJobs with spec.credentialsSecretRef can run");

  const namespaces = opts.namespaces?.length ? [...new Set(opts.namespaces)] : [undefined];
  const informers = new Map<string, Informer<KubeObject>>();
  for (const ns of namespaces) {
    informers.set(
      ns ?? "",
      new Informer({
        listerWatcher: kubeListerWatcher(kube, Resources.neoJob, ns ? { namespace: ns } : {}),
        logger: log,
        metrics: informerMetrics(metrics),
      }),
    );
  }
  const informerFor = (key: string) => informers.get(namespaceOf(key)) ?? informers.get("");
  for (const inf of informers.values()) inf.start();
  const synced = Promise.all([...informers.values()].map((i) => i.waitForSync())).then(() => undefined);
  let isSynced = false;
  void synced.then(() => (isSynced = true));

  // NeoJob metrics (phases, waiting age, submit → running, cost) come from the cache itself;
  // only the leader counts, so two replicas do not double the counters.
  let leading: () => boolean = () => true;
  const stopTracking = trackNeoJobObjects(
    () => [...informers.values()].flatMap((inf) => inf.store.list()),
    () => leading(),
    Date.now,
    metrics,
  );

  const countRequest = clientRequestHook(metrics);
  const writer = new KubeNeoJobWriter(kube, { identity, logger: log, onEventDropped: () => metrics.m.eventsDropped.inc({ controller: "neojob" }) });

  // --- the work that only the leader does ---------------------------------------------------
  let active:
    | {
        sessions: SessionRegistry;
        controllers: Map<string, Controller>;
        abort: AbortController;
        providers?: NeoProviderController;
        wallet?: { poller: { stop(): void }; client: NeoEngineClient };
      }
    | undefined;
  let starting: Promise<void> | undefined;

  const startWork = async (): Promise<void> => {
    const abort = new AbortController();
    const controllers = new Map<string, Controller>();
    const sessions = new SessionRegistry({
      neoengineUrl: opts.neoengineUrl,
      defaultToken,
      kube,
      onChange: (key) => (controllers.get(namespaceOf(key)) ?? controllers.get(""))?.enqueue(key),
      pollMinIntervalMs: opts.pollMinIntervalMs,
      secretRefreshMs: opts.secretRefreshMs,
      rateLimiter: opts.rateLimiter,
      retry: opts.retry,
      metrics,
      log,
      onRequest: opts.onRequest,
    });
    const reconciler = new NeoJobReconciler({
      writer,
      sessions,
      log,
      ...(opts.crashAfterSubmit ? { afterSubmit: () => process.kill(process.pid, "SIGKILL") } : {}),
    });
    for (const [ns, informer] of informers) {
      controllers.set(
        ns,
        new Controller({
          name: "neojob",
          informer,
          reconcile: (key) => reconciler.reconcile(informerFor(key)?.store.get(key), key),
          workers: opts.concurrency ?? 4,
          logger: log,
          metrics: { ...controllerMetrics(metrics), ...workqueueMetrics(metrics) },
        }),
      );
    }
    initControllerSeries("neojob", "neojob", metrics);
    active = { sessions, controllers, abort };
    sessions.start(abort.signal);
    await Promise.all([...controllers.values()].map((c) => c.start()));
    log.info({ identity, namespaces: namespaces.map((n) => n ?? "*") }, "NeoJob controller running");
    if (opts.neoProviders) {
      active.providers = await startNeoProviderController({
        kube,
        neoengineUrl: opts.neoengineUrl,
        defaultToken: providerToken ? () => providerToken.token() : undefined,
        logger: log,
        identity,
        metrics: { ...controllerMetrics(metrics), ...workqueueMetrics(metrics) },
        hooks: providerHooks(metrics),
        onRequest: (e) => {
          countRequest(e);
          opts.onRequest?.({ ...e, credential: "provider" });
        },
        options: opts.providerOptions,
      });
      log.info({ identity }, "NeoProvider controller running");
    }
    if (defaultToken && opts.walletPollIntervalMs !== false) {
      // The default credential's wallet and the market prices, for the dashboards. Rarely
      // (default every 30 min) so it never competes with status polling for the budget.
      const client = new NeoEngineClient({
        baseUrl: apiBaseUrl(opts.neoengineUrl),
        token: () => defaultToken.token(),
        rateLimiter: { tier: "free", mode: "refuse", ...opts.rateLimiter },
        onRequest: (e) => {
          countRequest(e);
          opts.onRequest?.({ ...e, credential: defaultToken.name });
        },
      });
      const poller = startWalletMarketPoller({
        client,
        credential: defaultToken.name,
        intervalMs: opts.walletPollIntervalMs ?? 30 * 60_000,
        metrics,
        onError: (err: unknown) => log.debug({ err: String(err) }, "wallet/market poll failed"),
      });
      active.wallet = { poller, client };
    }
  };

  const stopWork = async (): Promise<void> => {
    await starting?.catch(() => undefined);
    const current = active;
    active = undefined;
    if (!current) return;
    current.abort.abort();
    current.wallet?.poller.stop();
    await current.wallet?.client.close();
    await current.providers?.stop();
    await Promise.all([...current.controllers.values()].map((c) => c.stop()));
    await current.sessions.close();
  };

  let elector: LeaderElector | undefined;
  if (opts.leaderElect) {
    elector = new LeaderElector({
      lock: new KubeLeaseStore(kube, opts.leaseNamespace ?? process.env.POD_NAMESPACE ?? "default", opts.leaseName ?? "neoengine-operator"),
      identity,
      leaseDurationMs: opts.leaseDurationMs,
      renewDeadlineMs: opts.renewDeadlineMs,
      retryPeriodMs: opts.retryPeriodMs,
      logger: log,
      metrics: leaderElectionMetrics(metrics),
      name: "neoengine-operator",
      onStartedLeading: () => {
        log.info({ identity }, "became leader");
        starting = synced.then(startWork);
        return starting;
      },
      onStoppedLeading: async () => {
        log.info({ identity }, "stopped leading");
        await stopWork();
      },
    });
    leading = () => elector?.isLeader() ?? false;
    elector.start();
  } else {
    starting = synced.then(startWork);
  }

  let stopping = false;
  const servers: ListeningServer[] = [];
  let metricsPort: number | undefined;
  let healthPort: number | undefined;
  try {
    if (opts.metricsAddr !== false) {
      const s = await startMetricsServer(opts.metricsAddr ?? ":8080", metrics);
      servers.push(s);
      metricsPort = s.port;
    }
    if (opts.healthAddr !== false) {
      const s = await startHealthServer(opts.healthAddr ?? ":8081", {
        live: () => !stopping,
        ready: () => (isSynced ? { ok: true } : { ok: false, reason: "NeoJob caches not synced" }),
      });
      servers.push(s);
      healthPort = s.port;
    }
  } catch (err) {
    for (const s of servers) await s.close();
    for (const inf of informers.values()) await inf.stop();
    await elector?.stop();
    throw err;
  }

  let stopped: Promise<void> | undefined;
  return {
    identity,
    metricsPort,
    healthPort,
    synced,
    isLeader: () => (elector ? elector.isLeader() : true),
    sessions: () => active?.sessions,
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        log.info("shutting down");
        await stopWork();
        await elector?.stop(); // releases the lease so a standby takes over at once
        await stopWork();
        for (const inf of informers.values()) await inf.stop();
        stopTracking();
        for (const s of servers) await s.close();
        log.info("stopped");
      })()),
  };
}
