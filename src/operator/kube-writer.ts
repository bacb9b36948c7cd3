import { parseNeoJob, type NeoJob } from "../api/index.js";
import type { EventType, NeoJobWriter } from "../controllers/neojob/types.js";
import { EventRecorder, isAlreadyExists, patchStatus, Resources, type KubeClient, type KubeObject, type Logger } from "../kube/index.js";

// The NeoJob reconciler's apiserver port, on top of src/kube. Every write of the NeoJob carries
// the resourceVersion the reconcile read, so a stale cache turns into a 409 (retried) rather
// than a lost update.

/** As client-go's event broadcaster: at most 1,000 waiting; beyond that, dropped and counted. */
const EVENT_QUEUE_CAPACITY = 1000;
/**
 * Events are sent one at a time: they share the apiserver with the status writes that users wait
 * for, and a burst of thousands of NeoJobs should spend the apiserver on those first. The backlog
 * drains once the burst is over.
 */
const EVENT_SENDERS = 1;

/** What an Event needs of its object: a reference, not the object (the backlog can be long). */
function referenceOf(job: NeoJob): KubeObject {
  const { name, namespace, uid, resourceVersion } = job.metadata;
  return { apiVersion: job.apiVersion, kind: job.kind, metadata: { name, namespace, uid, resourceVersion } } as KubeObject;
}

export class KubeNeoJobWriter implements NeoJobWriter {
  private readonly events: EventRecorder;

  constructor(
    private readonly kube: KubeClient,
    private readonly opts: { identity: string; logger?: Logger; onEventDropped?: () => void },
  ) {
    this.events = new EventRecorder(kube, {
      reportingController: "neoengine.dev/neojob-controller",
      reportingInstance: opts.identity,
      logger: opts.logger,
    });
  }

  private ref(job: NeoJob) {
    return { namespace: job.metadata.namespace, name: job.metadata.name };
  }

  async patchStatus(job: NeoJob, statusPatch: Record<string, unknown>): Promise<NeoJob> {
    const updated = await patchStatus(this.kube, Resources.neoJob, this.ref(job), statusPatch, { resourceVersion: job.metadata.resourceVersion });
    // A status write changes no spec; the caller keeps its own draft of the status. Only the new
    // metadata (resourceVersion first) is taken from the answer, which spares a schema parse of
    // the whole object per write (measurable in a burst of thousands).
    const { managedFields: _dropped, ...metadata } = (updated as { metadata: NeoJob["metadata"] & { managedFields?: unknown } }).metadata;
    return { ...job, metadata: { ...job.metadata, ...metadata } };
  }

  async setFinalizers(job: NeoJob, finalizers: string[]): Promise<NeoJob> {
    const updated = await this.kube.mergePatch(Resources.neoJob, this.ref(job), {
      metadata: { resourceVersion: job.metadata.resourceVersion, finalizers: finalizers.length ? finalizers : null },
    });
    return parseNeoJob(updated);
  }

  async deleteJob(job: NeoJob): Promise<void> {
    await this.kube.delete(Resources.neoJob, this.ref(job), { preconditions: { uid: job.metadata.uid } });
  }

  async writeConfigMap(job: NeoJob, name: string, data: Record<string, string>): Promise<void> {
    const namespace = job.metadata.namespace;
    const metadata = {
      name,
      namespace,
      labels: { "app.kubernetes.io/managed-by": "neoengine-operator", "neoengine.dev/neojob": job.metadata.name },
      ownerReferences: [{ apiVersion: job.apiVersion, kind: job.kind, name: job.metadata.name, uid: job.metadata.uid, controller: true }],
    };
    try {
      await this.kube.create(Resources.configMap, { metadata, data }, namespace);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      await this.kube.mergePatch(Resources.configMap, { namespace, name }, { metadata: { labels: metadata.labels }, data });
    }
  }

  /**
   * Events go out in the background through a bounded queue (like client-go's broadcaster): a
   * burst of thousands of phase changes must not turn into thousands of requests in flight
   * (memory) or slow the reconciles down. When the queue is full, events are dropped and counted.
   */
  async event(job: NeoJob, type: EventType, reason: string, message: string): Promise<void> {
    if (this.backlog.length >= EVENT_QUEUE_CAPACITY) {
      this.droppedEvents++;
      this.opts.onEventDropped?.();
      return;
    }
    this.backlog.push({ regarding: referenceOf(job), type, reason, message });
    this.pump();
  }

  droppedEvents = 0;
  private readonly backlog: Array<{ regarding: KubeObject; type: EventType; reason: string; message: string }> = [];
  private sending = 0;

  private pump(): void {
    while (this.sending < EVENT_SENDERS && this.backlog.length > 0) {
      const e = this.backlog.shift()!;
      this.sending++;
      void this.events
        .record(e.regarding, e.type, e.reason, e.message)
        .finally(() => {
          this.sending--;
          this.pump();
        });
    }
  }
}
