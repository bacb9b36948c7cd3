// The NeoJob operations the plugin needs, on top of the project's KubeClient, with apiserver
// failures translated into messages a person can act on: cluster unreachable, CRD missing,
// NeoJob not found, forbidden.

import { API_VERSION, GROUP, NEOJOB_PLURAL, VERSION } from "../../../api/group.js";
import { safeParseNeoJob, type NeoJob } from "../../../api/index.js";
import { KubeApiError, statusCodeOf } from "../../../kube/client/errors.js";
import { HttpMethod } from "../../../kube/client/http-method.js";
import type { WatchEvent } from "../../../kube/client/kube-client.js";
import { Resources } from "../../../kube/client/resource.js";
import { CliError, EXIT, apiError } from "../errors.js";
import type { Cluster } from "./cluster.js";

export type RawObject = Record<string, unknown>;

const CRD_HINT = "install the CRDs: kubectl apply -f crds/ (or helm install the neoengine-operator chart)";

/** True when the apiserver serves neoengine.dev/v1alpha1 (i.e. the CRDs are installed). */
async function groupServed(cluster: Cluster): Promise<boolean> {
  try {
    const list = await cluster.client.request<{ resources?: { name: string }[] }>(HttpMethod.GET, `/apis/${GROUP}/${VERSION}`);
    return (list.resources ?? []).some((r) => r.name === NEOJOB_PLURAL);
  } catch (error) {
    if (statusCodeOf(error) === 404) return false;
    throw error;
  }
}

/** Maps an apiserver failure to a CliError; `what` names the operation ("get neojob/x"). */
export async function explainKubeError(cluster: Cluster, error: unknown, what: string): Promise<CliError> {
  if (error instanceof CliError) return error;
  const code = statusCodeOf(error);
  if (code === undefined) {
    const reason = networkReason(error);
    return apiError(
      `cannot reach the cluster at ${cluster.server}: ${reason}`,
      "is the cluster running? check --kubeconfig / --context (kubectl cluster-info)",
    );
  }
  if (code === 404) {
    let served: boolean;
    try {
      served = await groupServed(cluster);
    } catch {
      served = true;
    }
    if (!served) return apiError(`the NeoJob CRD (neojobs.${GROUP}) is not installed in this cluster`, CRD_HINT);
    return new CliError(`${what}: not found`, EXIT.API);
  }
  const message = error instanceof KubeApiError ? error.message : error instanceof Error ? error.message : String(error);
  if (code === 401) return apiError(`${what}: unauthorized (${message})`, "your kubeconfig credentials were refused");
  if (code === 403) return apiError(`${what}: forbidden (${message})`, "ask for RBAC access to neojobs.neoengine.dev");
  return apiError(`${what}: ${message}`);
}

function networkReason(error: unknown): string {
  let current: unknown = error;
  for (let i = 0; i < 4 && current && typeof current === "object"; i++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z]+/.test(code)) return code === "ECONNREFUSED" ? "connection refused" : code;
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Parses a NeoJob, keeping objects our schema does not accept visible rather than crashing. */
export function toNeoJob(obj: RawObject): NeoJob {
  const parsed = safeParseNeoJob({ apiVersion: API_VERSION, kind: "NeoJob", ...obj });
  if (parsed.ok) return parsed.value;
  // Best effort: render what is there (a newer operator may write fields we do not know).
  return obj as unknown as NeoJob;
}

export class NeoJobs {
  constructor(readonly cluster: Cluster) {}

  private async wrap<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw await explainKubeError(this.cluster, error, what);
    }
  }

  get(name: string, namespace = this.cluster.namespace): Promise<NeoJob> {
    return this.wrap(`neojob "${name}" in namespace "${namespace}"`, async () =>
      toNeoJob(await this.cluster.client.get<RawObject>(Resources.neoJob, { namespace, name })),
    );
  }

  /** All NeoJobs of the namespace (or of every namespace) with the list's resourceVersion. */
  list(namespace: string | undefined): Promise<{ items: NeoJob[]; resourceVersion: string }> {
    return this.wrap("list neojobs", async () => {
      // An empty list from a missing CRD would be a 404 already; check discovery once so that
      // `get` on a cluster without the CRD says so instead of "No resources found".
      const list = await this.cluster.client.list<RawObject>(Resources.neoJob, namespace ? { namespace } : {});
      return { items: list.items.map(toNeoJob), resourceVersion: list.resourceVersion };
    });
  }

  create(body: RawObject, namespace = this.cluster.namespace): Promise<NeoJob> {
    const name = (body.metadata as { name?: string } | undefined)?.name ?? "?";
    return this.wrap(`create neojob "${name}"`, async () => {
      try {
        return toNeoJob(await this.cluster.client.create<RawObject>(Resources.neoJob, body, namespace));
      } catch (error) {
        if (statusCodeOf(error) === 409) {
          throw apiError(`neojob "${name}" already exists in namespace "${namespace}"`, "pick another name or delete it: kubectl delete nj " + name);
        }
        if (statusCodeOf(error) === 422 && error instanceof KubeApiError) {
          // The CRD's validation rules name the field; show the apiserver's words.
          throw new CliError(`the apiserver refused the NeoJob: ${error.message.replace(/^POST \S+: /, "")}`, EXIT.USAGE);
        }
        throw error;
      }
    });
  }

  mergePatch(name: string, patch: unknown, namespace = this.cluster.namespace): Promise<NeoJob> {
    return this.wrap(`patch neojob "${name}"`, async () =>
      toNeoJob(await this.cluster.client.mergePatch<RawObject>(Resources.neoJob, { namespace, name }, patch)),
    );
  }

  /**
   * Watches NeoJobs (one by name, or all of a namespace / every namespace) from resourceVersion,
   * calling onEvent for each change, until the signal aborts. A stream that ends is reopened
   * from the last version seen; a 410 (too old) relists. Returns when aborted.
   */
  async watch(
    opts: { namespace: string | undefined; name?: string; resourceVersion: string; signal: AbortSignal },
    onEvent: (type: WatchEvent["type"], job: NeoJob) => void,
    onRelist: (items: NeoJob[]) => void,
  ): Promise<void> {
    let resourceVersion = opts.resourceVersion;
    const fieldSelector = opts.name ? `metadata.name=${opts.name}` : undefined;
    let failures = 0;
    while (!opts.signal.aborted) {
      const ended = await new Promise<unknown>((resolve) => {
        let handle: { abort(): void } | undefined;
        const onAbort = () => handle?.abort();
        opts.signal.addEventListener("abort", onAbort, { once: true });
        this.cluster.client
          .watch(
            Resources.neoJob,
            { namespace: opts.namespace, resourceVersion, allowWatchBookmarks: true, fieldSelector, timeoutSeconds: 300 },
            (event) => {
              const rv = (event.object.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
              if (event.type === "ERROR") {
                const status = event.object as { code?: number };
                if (status.code === 410) resourceVersion = "";
                return;
              }
              if (rv) resourceVersion = rv;
              failures = 0;
              if (event.type !== "BOOKMARK") onEvent(event.type, toNeoJob(event.object));
            },
            (err) => {
              opts.signal.removeEventListener("abort", onAbort);
              resolve(err);
            },
          )
          .then((h) => {
            handle = h;
            if (opts.signal.aborted) h.abort();
          })
          .catch((err: unknown) => {
            opts.signal.removeEventListener("abort", onAbort);
            resolve(err);
          });
      });
      if (opts.signal.aborted) return;
      if (ended) {
        if (statusCodeOf(ended) === 410) resourceVersion = "";
        else if (++failures >= 5) throw await explainKubeError(this.cluster, ended, "watch neojobs");
        else await pause(Math.min(200 * 2 ** failures, 3000), opts.signal);
      }
      if (!resourceVersion) {
        const fresh = await this.list(opts.namespace);
        const items = opts.name ? fresh.items.filter((j) => j.metadata.name === opts.name) : fresh.items;
        resourceVersion = fresh.resourceVersion;
        onRelist(items);
      }
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
