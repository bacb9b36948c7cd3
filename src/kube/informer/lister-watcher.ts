import type { KubeClient, WatchEvent, WatchHandle } from "../client/kube-client.js";
import type { ResourceType } from "../client/resource.js";

// What the informer needs from the apiserver, as an interface so that unit tests can drive the
// informer's loop (relist diffs, 410 handling, backoff) deterministically. E2E tests use the real one.

export interface ListerWatcher {
  /** A human-readable name of the watched resource, for logs and metrics. */
  readonly resource: string;
  list(): Promise<{ items: unknown[]; resourceVersion: string }>;
  watch(resourceVersion: string, onEvent: (e: WatchEvent) => void, onDone: (err: unknown) => void): Promise<WatchHandle>;
}

export interface KubeListerWatcherOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** List page size. */
  pageSize?: number;
  /** Server-side watch timeout range in seconds; a random value in it is used per watch. */
  watchTimeoutSeconds?: [number, number];
}

export function kubeListerWatcher(client: KubeClient, type: ResourceType, opts: KubeListerWatcherOptions = {}): ListerWatcher {
  const [minT, maxT] = opts.watchTimeoutSeconds ?? [300, 600];
  return {
    resource: opts.namespace ? `${type.plural}.${type.apiVersion} in ${opts.namespace}` : `${type.plural}.${type.apiVersion}`,
    list: () =>
      client.list(type, {
        namespace: opts.namespace,
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.pageSize ?? 500,
      }),
    watch: (resourceVersion, onEvent, onDone) =>
      client.watch(
        type,
        {
          namespace: opts.namespace,
          labelSelector: opts.labelSelector,
          fieldSelector: opts.fieldSelector,
          resourceVersion,
          allowWatchBookmarks: true,
          // Spread watch renewals of many informers over time, like client-go.
          timeoutSeconds: Math.floor(minT + Math.random() * (maxT - minT)),
        },
        onEvent,
        onDone,
      ),
  };
}
