import type { NeoJob } from "../../api/index.js";
import { CredentialsError, type RemoteSession, type SessionResolver } from "../../controllers/neojob/types.js";
import type { KubeClient } from "../../kube/index.js";
import { clientRequestHook, trackRateBudget, type OperatorMetrics } from "../../metrics/index.js";
import { apiBaseUrl, NeoEngineClient, type Job, type RateLimiterOptions, type RequestEvent, type RetryOptions } from "../../neoengine/index.js";
import { StatusPoller, type PollerLogger } from "../status/poller.js";
import { secretRefName, secretToken, type TokenSource } from "./token-sources.js";

// One session per credential: a NeoEngine client (with its rate limiter), a status poller and a
// token source. NeoJobs name their credential by credentialsSecretRef — always read from the
// NeoJob's OWN namespace, so a NeoJob cannot borrow another namespace's token — or use the
// operator-wide default.

export interface SessionRegistryOptions {
  /** Network base URL, with or without the /v1 suffix. */
  neoengineUrl: string;
  defaultToken?: TokenSource;
  kube: KubeClient;
  /** Enqueue a NeoJob key (the poller saw its remote job change). */
  onChange: (key: string) => void;
  pollMinIntervalMs?: number;
  secretRefreshMs?: number;
  rateLimiter?: RateLimiterOptions;
  retry?: RetryOptions;
  metrics?: OperatorMetrics;
  log?: PollerLogger;
  /** Sees every request (tests and the benchmark count them). */
  onRequest?: (event: RequestEvent & { credential: string }) => void;
}

interface Entry {
  source: TokenSource;
  client: NeoEngineClient;
  poller: StatusPoller;
  session: RemoteSession;
  stopMetrics?: () => void;
}


export class SessionRegistry implements SessionResolver {
  private readonly entries = new Map<string, Entry>();
  private signal: AbortSignal | undefined;
  private readonly runs: Promise<void>[] = [];

  constructor(private readonly opts: SessionRegistryOptions) {}

  async sessionFor(job: NeoJob): Promise<RemoteSession> {
    const ref = job.spec.credentialsSecretRef;
    let source: TokenSource | undefined;
    let name: string;
    if (ref) {
      const secret = { namespace: job.metadata.namespace ?? "default", name: ref.name, key: ref.key };
      name = secretRefName(secret);
      source = this.entries.get(name)?.source ?? secretToken(this.opts.kube, secret, { refreshMs: this.opts.secretRefreshMs });
    } else {
      if (!this.opts.defaultToken) {
        throw new CredentialsError("NoCredentials", "the NeoJob has no credentialsSecretRef and the operator has no default token");
      }
      name = "default";
      source = this.opts.defaultToken;
    }
    const entry = this.entries.get(name) ?? this.create(name, source);
    // Fails with CredentialsError now (Synced=False) rather than deep inside a request.
    await entry.source.token();
    return entry.session;
  }

  /** Every session's poller (tests, benchmark, metrics). */
  pollers(): StatusPoller[] {
    return [...this.entries.values()].map((e) => e.poller);
  }

  /** Starts the pollers of existing and future sessions. */
  start(signal: AbortSignal): void {
    this.signal = signal;
    for (const entry of this.entries.values()) this.runs.push(entry.poller.run(signal));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.runs);
    for (const entry of this.entries.values()) {
      entry.stopMetrics?.();
      await entry.client.close();
    }
    this.entries.clear();
  }

  private create(name: string, source: TokenSource): Entry {
    const metricsHook = this.opts.metrics ? clientRequestHook(this.opts.metrics) : undefined;
    const client = new NeoEngineClient({
      baseUrl: apiBaseUrl(this.opts.neoengineUrl),
      token: () => source.token(),
      // Start from the most conservative tier; the server's X-RateLimit-* headers correct it.
      rateLimiter: { tier: "free", maxWaitMs: 120_000, ...this.opts.rateLimiter },
      ...(this.opts.retry ? { retry: this.opts.retry } : {}),
      onRequest: (event) => {
        if (event.status === 401) source.invalidate(); // rotated token: read it again
        metricsHook?.(event);
        this.opts.onRequest?.({ ...event, credential: name });
      },
    });
    const poller = new StatusPoller({
      client: { listJobs: (q) => client.listJobs(q), getJob: (id) => client.getJob(id), budget: () => client.budget() },
      credential: name,
      onChange: (key) => this.opts.onChange(key),
      minIntervalMs: this.opts.pollMinIntervalMs,
      log: this.opts.log,
    });
    const session: RemoteSession = {
      credential: name,
      submit: (request, idempotencyKey) => client.submitJob(request, { idempotencyKey }),
      get: (jobId) => client.getJob(jobId),
      cancel: (jobId) => client.cancelJob(jobId),
      results: (jobId) => client.getJobResults(jobId),
      observed: (jobId) => poller.observed(jobId),
      remember: (job: Job) => poller.remember(job),
      track: (jobId, key) => poller.track(jobId, key),
      untrack: (jobId) => poller.untrack(jobId),
    };
    const entry: Entry = { source, client, poller, session };
    if (this.opts.metrics) entry.stopMetrics = trackRateBudget(name, () => client.budget() ?? emptyBudget, this.opts.metrics);
    this.entries.set(name, entry);
    if (this.signal) this.runs.push(poller.run(this.signal));
    return entry;
  }
}

const emptyBudget = {
  minute: { limit: null, remaining: null, resetAt: null },
  day: { limit: null, remaining: null, resetAt: null },
};
