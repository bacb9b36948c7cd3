import { createRequire } from "node:module";
import type * as ClientNode from "@kubernetes/client-node";
import type { KubeConfig } from "@kubernetes/client-node";
import { Agent, ProxyAgent, type Dispatcher } from "undici";
import { connectionFromKubeConfig, isClientNodeKubeConfig } from "./client-node-adapter.js";
import { isKubeConnection, type KubeConnection, type TlsMaterial } from "./connection.js";
import { kubeApiErrorOf, toKubeApiError } from "./errors.js";
import { HttpMethod, PatchContentType } from "./http-method.js";
import { collectionPath, objectPath, type ObjectRef, type ResourceType } from "./resource.js";
import { WatchLineSplitter } from "./watch-lines.js";

// The one door to the apiserver: plain JSON over undici, one keep-alive connection pool per
// client. No generated models, so times stay RFC 3339 strings (Lease MicroTime keeps its
// microseconds) and custom resources are parsed by our zod schemas. Auth and TLS come from a
// KubeConnection (loadKubeConnection) or a client-node KubeConfig, adapted by shape: this module
// never loads @kubernetes/client-node, whose import alone costs ~74 MiB of RSS.

type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; the list follows `continue` tokens until done. */
  limit?: number;
}

export interface ListResult<T = unknown> {
  items: T[];
  resourceVersion: string;
}

export interface WatchOptions {
  namespace?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  labelSelector?: string;
  fieldSelector?: string;
  /** Server-side watch timeout; the server then ends the stream cleanly. */
  timeoutSeconds?: number;
}

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: Record<string, unknown>;
}

export interface WatchHandle {
  abort(): void;
}

export interface DeleteOptions {
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  preconditions?: { resourceVersion?: string; uid?: string };
}

export interface KubeClientOptions {
  /**
   * Give up on a (non-watch) request after this long: the request is aborted and the caller gets
   * a KubeRequestTimeoutError to retry instead of hanging a worker forever. For a watch it bounds
   * the wait for the response headers. Default 30 s.
   */
  requestTimeoutMs?: number;
}

export class KubeRequestTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer from the apiserver within ${ms} ms`);
    this.name = "KubeRequestTimeoutError";
  }
}

/** What KubeClient connects with: a loaded KubeConnection, or a client-node KubeConfig (adapted by shape). */
export type KubeClientSource = KubeConnection | KubeConfig;

export class KubeClient {
  readonly connection: KubeConnection;
  private readonly requestTimeoutMs: number;
  private pool: { tls: TlsMaterial; dispatcher: Dispatcher } | undefined;

  constructor(
    /** What the client was built from, as given (tests compare it by identity). */
    readonly kubeConfig: KubeClientSource,
    opts: KubeClientOptions = {},
  ) {
    if (isKubeConnection(kubeConfig)) this.connection = kubeConfig;
    else if (isClientNodeKubeConfig(kubeConfig)) this.connection = connectionFromKubeConfig(kubeConfig);
    else throw new TypeError("KubeClient needs a KubeConnection (loadKubeConnection) or a client-node KubeConfig");
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  }

  async request<T = unknown>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
    const what = `${method} ${path}`;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.requestTimeoutMs);
    try {
      const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      const res = await this.send(method, path, opts.query, body, opts.contentType, abort.signal);
      const text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) throw kubeApiErrorOf(res.statusCode, text, what);
      if (!text) return undefined as T;
      // JSON is parsed; anything else (pod logs are text/plain) comes back as a string.
      return (String(res.headers["content-type"] ?? "").includes("json") ? JSON.parse(text) : text) as T;
    } catch (err) {
      if (abort.signal.aborted) throw new KubeRequestTimeoutError(what, this.requestTimeoutMs);
      throw toKubeApiError(err, what);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the connection pool (open watches end). The client is unusable afterwards. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.dispatcher.destroy();
  }

  /** One HTTP exchange with fresh credentials; after a 401 the credentials are refreshed and it is sent once more. */
  private async send(
    method: HttpMethod,
    path: string,
    query: Query | undefined,
    body: string | undefined,
    contentType: string | undefined,
    signal: AbortSignal,
    timeouts: { headersTimeout?: number; bodyTimeout?: number } = {},
  ): Promise<Dispatcher.ResponseData> {
    const url = new URL(this.connection.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    for (let attempt = 0; ; attempt++) {
      const creds = await this.connection.credentials();
      const headers: Record<string, string> = { Accept: "application/json", ...creds.headers };
      if (body !== undefined) headers["Content-Type"] = contentType ?? "application/json";
      const res = await this.dispatcherFor(creds.tls).request({
        origin: url.origin,
        path: url.pathname + url.search,
        method,
        headers,
        body,
        signal,
        ...timeouts,
      });
      if (res.statusCode === 401 && attempt === 0 && this.connection.invalidate()) {
        await res.body.dump();
        continue;
      }
      return res;
    }
  }

  /** One keep-alive pool per client; a new one only when the TLS material changes (an exec plugin's new certificate). */
  private dispatcherFor(tls: TlsMaterial): Dispatcher {
    if (this.pool?.tls === tls) return this.pool.dispatcher;
    const previous = this.pool?.dispatcher;
    const connect = { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized, servername: tls.servername };
    const proxy = this.connection.proxyUrl;
    const dispatcher = proxy ? new ProxyAgent({ uri: proxy, requestTls: connect }) : new Agent({ connect });
    this.pool = { tls, dispatcher };
    // In-flight requests (and watches) on the old pool finish there.
    previous?.close().catch(() => undefined);
    return dispatcher;
  }

  get<T = Record<string, unknown>>(type: ResourceType, ref: ObjectRef, subresource?: string): Promise<T> {
    return this.request<T>(HttpMethod.GET, objectPath(type, ref, subresource));
  }

  async list<T = Record<string, unknown>>(type: ResourceType, opts: ListOptions = {}): Promise<ListResult<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = "";
    do {
      const page = await this.request<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>(
        HttpMethod.GET,
        collectionPath(type, opts.namespace),
        { query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit, continue: cont } },
      );
      items.push(...(page.items ?? []));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      cont = page.metadata?.continue || undefined;
    } while (cont);
    // List items carry no kind/apiVersion; restore them so parsers see whole objects.
    const [apiVersion, kind] = [type.apiVersion, type.kind];
    for (const item of items as Record<string, unknown>[]) {
      item.apiVersion ??= apiVersion;
      item.kind ??= kind;
    }
    return { items, resourceVersion };
  }

  create<T = Record<string, unknown>>(type: ResourceType, body: Record<string, unknown>, namespace?: string): Promise<T> {
    const ns = namespace ?? (body.metadata as { namespace?: string } | undefined)?.namespace;
    return this.request<T>(HttpMethod.POST, collectionPath(type, ns), { body: { apiVersion: type.apiVersion, kind: type.kind, ...body } });
  }

  replace<T = Record<string, unknown>>(type: ResourceType, ref: ObjectRef, body: Record<string, unknown>, subresource?: string): Promise<T> {
    return this.request<T>(HttpMethod.PUT, objectPath(type, ref, subresource), { body: { apiVersion: type.apiVersion, kind: type.kind, ...body } });
  }

  /** JSON merge patch (RFC 7386): null deletes a field, lists are replaced wholesale. */
  mergePatch<T = Record<string, unknown>>(type: ResourceType, ref: ObjectRef, patch: unknown, subresource?: string): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, objectPath(type, ref, subresource), { body: patch, contentType: PatchContentType.MergePatch });
  }

  /** JSON patch (RFC 6902); add a `test` op on /metadata/resourceVersion for optimistic concurrency. */
  jsonPatch<T = Record<string, unknown>>(type: ResourceType, ref: ObjectRef, ops: unknown[], subresource?: string): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, objectPath(type, ref, subresource), { body: ops, contentType: PatchContentType.JsonPatch });
  }

  /** Server-side apply with a field manager. */
  apply<T = Record<string, unknown>>(type: ResourceType, ref: ObjectRef, body: Record<string, unknown>, fieldManager: string, force = true): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, objectPath(type, ref), {
      body: { apiVersion: type.apiVersion, kind: type.kind, ...body },
      contentType: PatchContentType.ServerSideApply,
      query: { fieldManager, force },
    });
  }

  delete(type: ResourceType, ref: ObjectRef, opts: DeleteOptions = {}): Promise<unknown> {
    const body = opts.propagationPolicy || opts.preconditions ? { kind: "DeleteOptions", apiVersion: "v1", ...opts } : undefined;
    return this.request(HttpMethod.DELETE, objectPath(type, ref), { body });
  }

  /**
   * Opens one watch stream (GET ?watch=true, one JSON event per line). Resolves once the
   * response headers arrived (or the attempt failed). `onDone` is called exactly once when the
   * stream ends: null when it closed cleanly or abort() ended it, else the error (an HTTP error
   * status is a KubeApiError with that code, e.g. 410 Gone). No retries here: the informer owns that.
   */
  async watch(
    type: ResourceType,
    opts: WatchOptions,
    onEvent: (event: WatchEvent) => void,
    onDone: (err: unknown) => void,
  ): Promise<WatchHandle> {
    const path = collectionPath(type, opts.namespace);
    const what = `watch ${path}`;
    const abort = new AbortController();
    let finished = false;
    let aborted = false;
    const finish = (err: unknown) => {
      if (finished) return;
      finished = true;
      abort.abort();
      onDone(aborted ? null : err);
    };
    const handle: WatchHandle = {
      abort: () => {
        aborted = true;
        finish(null);
      },
    };
    const query: Query = {
      watch: true,
      resourceVersion: opts.resourceVersion,
      allowWatchBookmarks: opts.allowWatchBookmarks,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      timeoutSeconds: opts.timeoutSeconds,
    };
    try {
      // No body timeout: a quiet watch is normal; the server's timeoutSeconds and the informer's watchdog end it.
      const res = await this.send(HttpMethod.GET, path, query, undefined, undefined, abort.signal, {
        headersTimeout: this.requestTimeoutMs,
        bodyTimeout: 0,
      });
      if (res.statusCode !== 200) {
        finish(kubeApiErrorOf(res.statusCode, await res.body.text(), what));
        return handle;
      }
      void this.pump(res.body, onEvent, () => finished).then(
        () => finish(null),
        (err: unknown) => finish(toKubeApiError(err, what)),
      );
    } catch (err) {
      finish(toKubeApiError(err, what));
    }
    return handle;
  }

  private async pump(body: Dispatcher.ResponseData["body"], onEvent: (event: WatchEvent) => void, stopped: () => boolean): Promise<void> {
    const lines = new WatchLineSplitter((e) => {
      if (!stopped()) onEvent(e as WatchEvent);
    });
    for await (const chunk of body) {
      if (stopped()) return;
      lines.push(chunk as Buffer);
    }
    lines.end();
  }
}

/**
 * Loads a client-node KubeConfig: an explicit file, else in-cluster, else $KUBECONFIG / ~/.kube/config.
 * Kept for callers that want a KubeConfig; it loads client-node (on first call, not at import).
 * The operator uses loadKubeConnection instead.
 */
export function loadKubeConfig(path?: string): KubeConfig {
  const { KubeConfig } = createRequire(import.meta.url)("@kubernetes/client-node") as typeof ClientNode;
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else if (process.env.KUBERNETES_SERVICE_HOST && !process.env.KUBECONFIG) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}
