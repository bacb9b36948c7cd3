import { randomBytes } from "node:crypto";
import { realClock, type Clock } from "../clock/clock.js";
import type { KubeClient } from "../client/kube-client.js";
import { Resources } from "../client/resource.js";
import { formatMicroTime } from "../leader/micro-time.js";
import { silentLogger, type Logger } from "../metrics.js";
import type { KubeObject } from "../informer/types.js";

// Events (events.k8s.io/v1) about our objects. The same event repeated within the series window
// is folded into one Event whose series.count grows (what kubectl shows as "x3 over 2m"), so a
// hot loop cannot flood etcd. Recording never throws: an event is not worth failing a reconcile.
// Never put secrets in reason/note.

export type EventType = "Normal" | "Warning";

export interface EventRecorderOptions {
  /** e.g. "neoengine.dev/neojob-controller" */
  reportingController: string;
  /** e.g. the pod name; defaults to the hostname-like identity given. */
  reportingInstance: string;
  clock?: Clock;
  logger?: Logger;
  /** Repeats within this window become a series. Default 10 min. */
  seriesWindowMs?: number;
}

interface SeriesEntry {
  namespace: string;
  name: string;
  count: number;
  lastAt: number;
}

const MAX_NOTE = 1024;
const MAX_TRACKED = 4096;

export class EventRecorder {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly windowMs: number;
  private readonly series = new Map<string, SeriesEntry>();

  constructor(
    private readonly client: KubeClient,
    private readonly opts: EventRecorderOptions,
  ) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? silentLogger;
    this.windowMs = opts.seriesWindowMs ?? 10 * 60_000;
  }

  /** Records an event about `regarding`; `action` is what the controller did (e.g. "Submit"). */
  async record(regarding: KubeObject, type: EventType, reason: string, note: string, action = reason): Promise<void> {
    // Events of cluster-scoped objects live in "default", as the Kubernetes recorders do.
    const namespace = regarding.metadata.namespace ?? "default";
    const key = [regarding.metadata.uid ?? regarding.metadata.name, type, reason, action, note].join("\u0000");
    const now = this.clock.now();
    const seen = this.series.get(key);
    try {
      if (seen && now - seen.lastAt < this.windowMs) {
        seen.count++;
        seen.lastAt = now;
        await this.client.mergePatch(Resources.event, { namespace: seen.namespace, name: seen.name }, {
          series: { count: seen.count, lastObservedTime: formatMicroTime(now) },
        });
        return;
      }
      const name = `${regarding.metadata.name}.${randomBytes(8).toString("hex")}`;
      await this.client.create(
        Resources.event,
        {
          metadata: { name, namespace },
          eventTime: formatMicroTime(now),
          reportingController: this.opts.reportingController,
          reportingInstance: this.opts.reportingInstance,
          action,
          reason,
          type,
          note: note.length > MAX_NOTE ? `${note.slice(0, MAX_NOTE - 3)}...` : note,
          regarding: {
            apiVersion: regarding.apiVersion,
            kind: regarding.kind,
            namespace: regarding.metadata.namespace,
            name: regarding.metadata.name,
            uid: regarding.metadata.uid,
            resourceVersion: regarding.metadata.resourceVersion,
          },
        },
        namespace,
      );
      this.series.set(key, { namespace, name, count: 1, lastAt: now });
      if (this.series.size > MAX_TRACKED) this.series.delete(this.series.keys().next().value as string);
    } catch (err) {
      // A vanished series Event (TTL) just starts a new one next time.
      if (seen) this.series.delete(key);
      this.log.warn({ err, reason, object: regarding.metadata.name }, "could not record event");
    }
  }
}
