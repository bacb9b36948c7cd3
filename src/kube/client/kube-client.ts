import { HttpMethod, KubeConfig, KubernetesObjectApi, PatchStrategy, Watch, type RequestContext } from "@kubernetes/client-node";
import { toKubeApiError } from "./errors.js";
import { collectionPath, objectPath, type ObjectRef, type ResourceType } from "./resource.js";

// The one door to the apiserver. It reuses client-node's authenticated HTTP stack (KubeConfig
// auth, TLS, middleware) but sends and returns plain JSON: no generated models, so times stay
// RFC 3339 strings (Lease MicroTime keeps its microseconds) and custom resources are parsed by
// our zod schemas. Patches always carry an explicit Content-Type (client-node defaults to JSON Patch).

type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
}

/** KubernetesObjectApi already knows how to authenticate and send a RequestContext; expose that. */
class RawObjectApi extends KubernetesObjectApi {
  async send(method: HttpMethod, path: string, opts: RequestOptions): Promise<unknown> {
    const ctx: RequestContext = this.configuration.baseServer.makeRequestContext(path, method);
    ctx.setHeaderParam("Accept", "application/json");
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) ctx.setQueryParam(k, String(v));
    if (opts.body !== undefined) {
      ctx.setHeaderParam("Content-Type", opts.contentType ?? "application/json");
      ctx.setBody(JSON.stringify(opts.body));
    }
    // "any" makes the serializer hand back the parsed JSON untouched.
    return this.requestPromise(ctx as never, "any");
  }
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
   * Give up on a (non-watch) request after this long. client-node's fetch has no abort signal,
   * so the socket is left to finish on its own; the caller gets a KubeRequestTimeoutError and can
   * retry instead of hanging a worker forever. Default 30 s.
   */
  requestTimeoutMs?: number;
}

export class KubeRequestTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer from the apiserver within ${ms} ms`);
    this.name = "KubeRequestTimeoutError";
  }
}

export class KubeClient {
  private readonly raw: RawObjectApi;
  private readonly watcher: Watch;
  private readonly requestTimeoutMs: number;

  constructor(
    readonly kubeConfig: KubeConfig,
    opts: KubeClientOptions = {},
  ) {
    this.raw = kubeConfig.makeApiClient(RawObjectApi);
    this.watcher = new Watch(kubeConfig);
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  }

  async request<T = unknown>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KubeRequestTimeoutError(`${method} ${path}`, this.requestTimeoutMs)), this.requestTimeoutMs);
    });
    try {
      return (await Promise.race([this.raw.send(method, path, opts), timeout])) as T;
    } catch (err) {
      throw toKubeApiError(err, `${method} ${path}`);
    } finally {
      clearTimeout(timer);
    }
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
    return this.request<T>(HttpMethod.PATCH, objectPath(type, ref, subresource), { body: patch, contentType: PatchStrategy.MergePatch });
  }

  /** JSON patch (RFC 6902); add a `test` op on /metadata/resourceVersion for optimistic concurrency. */
  jsonPatch<T = Record<string, unknown>>(type: ResourceType, ref: ObjectRef, ops: unknown[], subresource?: string): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, objectPath(type, ref, subresource), { body: ops, contentType: PatchStrategy.JsonPatch });
  }

  /** Server-side apply with a field manager. */
  apply<T = Record<string, unknown>>(type: ResourceType, ref: ObjectRef, body: Record<string, unknown>, fieldManager: string, force = true): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, objectPath(type, ref), {
      body: { apiVersion: type.apiVersion, kind: type.kind, ...body },
      contentType: PatchStrategy.ServerSideApply,
      query: { fieldManager, force },
    });
  }

  delete(type: ResourceType, ref: ObjectRef, opts: DeleteOptions = {}): Promise<unknown> {
    const body = opts.propagationPolicy || opts.preconditions ? { kind: "DeleteOptions", apiVersion: "v1", ...opts } : undefined;
    return this.request(HttpMethod.DELETE, objectPath(type, ref), { body });
  }

  /**
   * Opens one raw watch stream (client-node's Watch). `onDone` is called exactly once when the
   * stream ends for any reason (null = closed cleanly). No retries here: the informer owns that.
   */
  async watch(
    type: ResourceType,
    opts: WatchOptions,
    onEvent: (event: WatchEvent) => void,
    onDone: (err: unknown) => void,
  ): Promise<WatchHandle> {
    const controller = await this.watcher.watch(
      collectionPath(type, opts.namespace),
      {
        resourceVersion: opts.resourceVersion,
        allowWatchBookmarks: opts.allowWatchBookmarks,
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        timeoutSeconds: opts.timeoutSeconds,
      },
      (phase, obj) => onEvent({ type: phase as WatchEvent["type"], object: obj as Record<string, unknown> }),
      (err) => onDone(err ? toKubeApiError(err, `watch ${collectionPath(type, opts.namespace)}`) : null),
    );
    return { abort: () => controller.abort() };
  }
}

/** Loads a kubeconfig: an explicit file, else in-cluster, else $KUBECONFIG / ~/.kube/config. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else if (process.env.KUBERNETES_SERVICE_HOST && !process.env.KUBECONFIG) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}
