import type { NeoProvider } from "../../api/neoprovider.js";
import {
  done,
  isAlreadyExists,
  isNotFound,
  requeueAfter,
  Resources,
  type Action,
  type Clock,
  type Informer,
  type KubeClient,
  type KubeObject,
  type Logger,
} from "../../kube/index.js";
import { isNeoEngineError, type Assignment, type NeoEngineClient } from "../../neoengine/index.js";
import { buildJobPod, podNameFor } from "./build/job-pod.js";
import { JOB_ID_ANNOTATION, JOB_ID_LABEL, NEOPROVIDER_LABEL, PROVIDER_ID_LABEL } from "./labels.js";
import { LogCursor } from "./model/log-cursor.js";
import type { PodLike } from "./model/kube-types.js";
import { durationSeconds, isTerminalOutcome, podOutcome, type TerminalOutcome } from "./model/pod-outcome.js";
import { lastProgress } from "./model/progress.js";
import type { NodeAgent } from "./node-agent.js";
import { jobTolerations, type NeoProviderOptions } from "./options.js";
import { readPodLog } from "./pod-logs.js";

// Network jobs as Pods: assignments → one Pod per job (deterministic name, so a restart or a
// repeated snapshot never makes a second one), and each Pod's life reported back — running,
// progress and logs from the container log, the final outcome with exit code and message —
// then the Pod is deleted. A job that leaves the assignment set (cancelled, timed out, requeued)
// has its Pod deleted.

export interface JobOwner {
  agent: NodeAgent;
  np: NeoProvider;
  client: NeoEngineClient;
}

export interface JobRunnerContext {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  options: NeoProviderOptions;
  /** Informer of the job Pods (label-selected). */
  jobPods: Informer<KubeObject>;
  owner(providerId: string): JobOwner | undefined;
  neoProviderExists(name: string): boolean;
  nodeExists(name: string): boolean;
  /** Records an Event on the NeoProvider. */
  event(npName: string, type: "Normal" | "Warning", reason: string, note: string): void;
  /** Asks for the Pod to be reconciled (after ms). */
  enqueuePod(key: string, afterMs?: number): void;
  /** Time from seeing an assignment to its Pod being created (bench / metrics). */
  onPodCreated?(ms: number): void;
}

interface Tracker {
  jobId: string;
  reportedRunning: boolean;
  terminalReported: boolean;
  progress: number | undefined;
  cursor: LogCursor;
  buffer: string[];
  bufferBytes: number;
  shippedBytes: number;
  truncated: boolean;
  lastFlushAt: number;
  logsUnavailableUntil: number;
}

interface PodInfo {
  jobId: string;
  providerId: string;
  npName: string;
  nodeName: string | undefined;
  namespace: string;
  name: string;
}

const FLUSH_BYTES = 64 * 1024;
const LOG_RETRY_MS = 60_000;

function infoOf(pod: PodLike): PodInfo | undefined {
  const jobId = pod.metadata.annotations?.[JOB_ID_ANNOTATION] ?? pod.metadata.labels?.[JOB_ID_LABEL];
  const providerId = pod.metadata.labels?.[PROVIDER_ID_LABEL];
  const npName = pod.metadata.labels?.[NEOPROVIDER_LABEL];
  if (!jobId || !providerId || !npName || !pod.metadata.namespace) return undefined;
  return { jobId, providerId, npName, nodeName: pod.spec?.nodeName, namespace: pod.metadata.namespace, name: pod.metadata.name };
}

export class JobRunner {
  private readonly trackers = new Map<string, Tracker>();
  private readonly known = new Map<string, PodInfo>();
  /** jobId → when its Pod was created by us (guards against informer lag). */
  private readonly created = new Map<string, number>();
  /** Per-agent serialisation of assignment handling. */
  private readonly chains = new WeakMap<NodeAgent, Promise<void>>();

  constructor(private readonly ctx: JobRunnerContext) {}

  private podKey(namespace: string, jobId: string): string {
    return `${namespace}/${podNameFor(jobId)}`;
  }

  private pod(key: string): PodLike | undefined {
    return this.ctx.jobPods.store.get(key) as unknown as PodLike | undefined;
  }

  /** Job Pods (not terminated) on a node, for one NeoProvider. */
  activePodsOn(npName: string, nodeName: string): PodLike[] {
    return this.podsOf(npName).filter((p) => p.spec?.nodeName === nodeName && !isTerminalOutcome(podOutcome(p, this.outcomeOpts())));
  }

  podsOf(npName: string): PodLike[] {
    return (this.ctx.jobPods.store.list() as unknown as PodLike[]).filter((p) => p.metadata.labels?.[NEOPROVIDER_LABEL] === npName);
  }

  private outcomeOpts() {
    return { nowMs: this.ctx.clock.now(), pendingTimeoutMs: this.ctx.options.pendingTimeoutMs };
  }

  private tracker(jobId: string): Tracker {
    let t = this.trackers.get(jobId);
    if (!t) {
      t = {
        jobId,
        reportedRunning: false,
        terminalReported: false,
        progress: undefined,
        cursor: new LogCursor(),
        buffer: [],
        bufferBytes: 0,
        shippedBytes: 0,
        truncated: false,
        lastFlushAt: this.ctx.clock.now(),
        logsUnavailableUntil: 0,
      };
      this.trackers.set(jobId, t);
    }
    return t;
  }

  // ---- assignments → Pods ------------------------------------------------------------

  /** Called with each new assignment snapshot of a node (serialised per node). */
  onAssignments(agent: NodeAgent, owner: JobOwner): Promise<void> {
    const next = (this.chains.get(agent) ?? Promise.resolve())
      .then(() => this.applyAssignments(agent, owner))
      .catch((err: unknown) => {
        // A transient failure (apiserver or network hiccup): try the same snapshot again soon.
        this.ctx.log.warn({ err, node: agent.nodeName }, "applying assignments failed; retrying");
        this.ctx.clock.setTimeout(() => void this.onAssignments(agent, owner), 5_000);
      });
    this.chains.set(agent, next);
    return next;
  }

  private async applyAssignments(agent: NodeAgent, owner: JobOwner): Promise<void> {
    const assignments = agent.assignments;
    if (!assignments || !agent.providerId) return;
    const namespace = owner.np.spec.jobNamespace;
    const seenAt = this.ctx.clock.now();
    let startedNow = 0; // Pods created in this pass (the informer may not show them yet)
    for (const a of assignments.values()) {
      const key = this.podKey(namespace, a.jobId);
      if (this.pod(key)) {
        this.ctx.enqueuePod(key);
        continue;
      }
      const createdAt = this.created.get(a.jobId);
      if (createdAt !== undefined && seenAt - createdAt < 60_000) continue; // informer lag
      if (a.status === "running") {
        // The network has it running here but its Pod is gone (deleted while we were away).
        await this.reportTerminal(owner, a.jobId, { kind: "failed", exitCode: -1, reason: "PodMissing", message: "the job's Pod no longer exists on the provider" });
        continue;
      }
      if (agent.intent !== "online") continue; // draining: deregistration will requeue it
      const max = owner.np.spec.maxJobsPerNode;
      // At the limit (the network placed a job on a stale heartbeat): it starts when a slot frees,
      // which changes the assignment set and brings us back here.
      if (max !== undefined && this.activePodsOn(owner.np.metadata.name, agent.nodeName).length + startedNow >= max) continue;
      await this.createPod(agent, owner, a, seenAt);
      startedNow++;
    }
    // Pods whose job the network no longer wants: their reconcile deletes them.
    for (const pod of this.podsOf(owner.np.metadata.name)) {
      const info = infoOf(pod);
      if (info && info.providerId === agent.providerId && !assignments.has(info.jobId)) this.ctx.enqueuePod(`${info.namespace}/${info.name}`);
    }
  }

  private async createPod(agent: NodeAgent, owner: JobOwner, a: Assignment, seenAt: number): Promise<void> {
    const np = owner.np;
    let pod: Record<string, unknown>;
    try {
      pod = buildJobPod(a, {
        namespace: np.spec.jobNamespace,
        neoProviderName: np.metadata.name,
        providerId: agent.providerId as string,
        nodeName: agent.nodeName,
        gpuResource: agent.offer.gpuResource,
        runtimeClassName: np.spec.runtimeClassName,
        allowRootContainers: np.spec.allowRootContainers,
        tolerations: jobTolerations(this.ctx.options),
        runAsUser: this.ctx.options.jobRunAsUser,
        tmpSizeLimit: this.ctx.options.tmpSizeLimit,
      });
    } catch (err) {
      await this.reportTerminal(owner, a.jobId, { kind: "failed", exitCode: -1, reason: "InvalidAssignment", message: (err as Error).message });
      return;
    }
    try {
      await this.ctx.kube.create(Resources.pod, pod, np.spec.jobNamespace);
      this.created.set(a.jobId, this.ctx.clock.now());
      this.ctx.onPodCreated?.(this.ctx.clock.now() - seenAt);
      this.ctx.event(np.metadata.name, "Normal", "JobStarted", `job ${a.jobId} assigned to node ${agent.nodeName}; Pod ${np.spec.jobNamespace}/${podNameFor(a.jobId)} created`);
    } catch (err) {
      if (isAlreadyExists(err)) return;
      const code = (err as { code?: number }).code;
      if (code !== undefined && code >= 400 && code < 500 && code !== 409 && code !== 429) {
        // Refused for good (quota, Pod Security admission, invalid): the network must know.
        const message = `the provider cluster refused the job's Pod: ${(err as Error).message}`.slice(0, 4000);
        this.ctx.event(np.metadata.name, "Warning", "JobRejected", `job ${a.jobId}: ${message}`);
        await this.reportTerminal(owner, a.jobId, { kind: "failed", exitCode: -1, reason: "PodRejected", message });
        return;
      }
      throw err;
    }
  }

  // ---- Pod lifecycle → job reports ---------------------------------------------------

  /** Reconciles one job Pod by key (namespace/name). */
  async reconcilePod(key: string): Promise<Action> {
    const pod = this.pod(key);
    const info = pod ? infoOf(pod) : this.known.get(key);
    if (!info) return done();
    if (pod) this.known.set(key, info);
    const owner = this.ctx.owner(info.providerId);
    if (!owner) {
      // No node agent speaks for this provider id (yet): after a restart the agents come up
      // shortly; if the NeoProvider is gone for good the Pod is an orphan.
      if (pod && !this.ctx.neoProviderExists(info.npName)) {
        await this.deletePod(info);
        return done();
      }
      return pod ? requeueAfter(5_000) : done();
    }
    const tracker = this.tracker(info.jobId);
    const assigned = owner.agent.assignments;

    if (!pod) {
      this.known.delete(key);
      if (!tracker.terminalReported && assigned?.has(info.jobId)) {
        const nodeGone = info.nodeName !== undefined && !this.ctx.nodeExists(info.nodeName);
        await this.reportTerminal(owner, info.jobId, {
          kind: "failed",
          exitCode: -1,
          reason: nodeGone ? "NodeLost" : "PodDeleted",
          message: nodeGone ? `node ${info.nodeName} was lost; the job's Pod is gone` : "the job's Pod was deleted",
        });
      }
      this.forget(info.jobId);
      return done();
    }

    if (assigned && !assigned.has(info.jobId)) {
      // Cancelled, timed out or requeued by the network, or already reported: the Pod goes.
      if (!tracker.terminalReported && !pod.metadata.deletionTimestamp) {
        this.ctx.event(info.npName, "Normal", "JobStopped", `job ${info.jobId} is no longer assigned to this provider; deleting its Pod`);
      }
      await this.deletePod(info);
      return done();
    }
    if (tracker.terminalReported) {
      await this.deletePod(info);
      return done();
    }

    const outcome = podOutcome(pod, this.outcomeOpts());
    const assignment = assigned?.get(info.jobId);
    switch (outcome.kind) {
      case "pending":
        return outcome.reason ? requeueAfter(15_000) : done();
      case "scheduled":
        return done();
      case "running":
        if (!tracker.reportedRunning && assignment?.status !== "running") await this.reportRunning(owner, info.jobId);
        tracker.reportedRunning = true;
        await this.pumpLogs(owner, info, tracker, false);
        return requeueAfter(this.ctx.options.logPollIntervalMs);
      default: {
        // The meter runs from the network's "running": a job that went from Pending straight
        // to an end (fast job, missed watch event) is started first if its container ran.
        if (!tracker.reportedRunning && assignment?.status === "scheduled" && outcome.startedAt) await this.reportRunning(owner, info.jobId);
        tracker.reportedRunning = true;
        await this.pumpLogs(owner, info, tracker, true);
        await this.reportTerminal(owner, info.jobId, outcome);
        await this.deletePod(info);
        return done();
      }
    }
  }

  private async reportRunning(owner: JobOwner, jobId: string): Promise<void> {
    try {
      await owner.client.postJobEvent(jobId, { status: "running" });
    } catch (err) {
      if (isNeoEngineError(err) && (err.code === "NOT_FOUND" || err.code === "CONFLICT")) return;
      throw err;
    }
  }

  /** Reports the end of a job; NOT_FOUND / CONFLICT mean the network already has it ended. */
  async reportTerminal(owner: JobOwner, jobId: string, outcome: TerminalOutcome): Promise<void> {
    const tracker = this.tracker(jobId);
    if (tracker.terminalReported) return;
    const message = outcome.message.slice(0, 4096);
    try {
      if (outcome.kind === "succeeded") {
        await owner.client.putJobResults(jobId, { exitCode: outcome.exitCode, message });
      } else {
        await owner.client.postJobEvent(jobId, { status: outcome.kind, exitCode: outcome.exitCode, message });
      }
    } catch (err) {
      if (!(isNeoEngineError(err) && (err.code === "NOT_FOUND" || err.code === "CONFLICT"))) throw err;
    }
    tracker.terminalReported = true;
    const took = durationSeconds(outcome.startedAt, outcome.finishedAt);
    this.ctx.event(
      owner.np.metadata.name,
      outcome.kind === "succeeded" ? "Normal" : "Warning",
      outcome.kind === "succeeded" ? "JobSucceeded" : outcome.kind === "timed_out" ? "JobTimedOut" : "JobFailed",
      `job ${jobId} ${outcome.kind} (exit code ${outcome.exitCode}${took !== undefined ? `, ran ${took}s` : ""}): ${message}`.slice(0, 1000),
    );
  }

  /** Fails a running job now (drain Immediate, node removed) and deletes its Pod. */
  async abort(owner: JobOwner, pod: PodLike, reason: string, message: string): Promise<void> {
    const info = infoOf(pod);
    if (!info) return;
    await this.reportTerminal(owner, info.jobId, { kind: "failed", exitCode: -1, reason, message });
    await this.deletePod(info, true);
  }

  private async deletePod(info: PodInfo, force = false): Promise<void> {
    try {
      await this.ctx.kube.delete(Resources.pod, { namespace: info.namespace, name: info.name }, {
        propagationPolicy: "Background",
        ...(force ? { gracePeriodSeconds: 0 } : {}),
      } as Parameters<KubeClient["delete"]>[2]);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private forget(jobId: string): void {
    this.trackers.delete(jobId);
    this.created.delete(jobId);
  }

  // ---- logs and progress ---------------------------------------------------------------

  private async pumpLogs(owner: JobOwner, info: PodInfo, t: Tracker, final: boolean): Promise<void> {
    const now = this.ctx.clock.now();
    if (now >= t.logsUnavailableUntil) {
      try {
        const body = await readPodLog(this.ctx.kube, info.namespace, info.name, {
          sinceTime: t.cursor.sinceTime(),
          limitBytes: this.ctx.options.logReadLimitBytes,
        });
        const lines = t.cursor.consume(final && body !== "" && !body.endsWith("\n") ? `${body}\n` : body);
        const progress = lastProgress(lines);
        if (progress !== undefined && progress !== t.progress) {
          t.progress = progress;
          try {
            await owner.client.postJobEvent(info.jobId, { progress });
          } catch (err) {
            if (!(isNeoEngineError(err) && (err.code === "NOT_FOUND" || err.code === "CONFLICT"))) throw err;
          }
        }
        this.buffer(t, lines);
      } catch (err) {
        if (isNeoEngineError(err)) throw err;
        // No log (a fake node has no kubelet, the container is gone, ...): no progress, no
        // lines; try again later rather than on every poll.
        t.logsUnavailableUntil = now + LOG_RETRY_MS;
        this.ctx.log.debug({ pod: info.name, err: (err as Error).message }, "container log unavailable");
      }
    }
    if (t.buffer.length > 0 && (final || t.bufferBytes >= FLUSH_BYTES || now - t.lastFlushAt >= this.ctx.options.logFlushIntervalMs)) {
      const data = t.buffer.join("");
      t.buffer = [];
      t.bufferBytes = 0;
      t.lastFlushAt = now;
      try {
        await owner.client.appendJobLogs(info.jobId, data);
        t.shippedBytes += Buffer.byteLength(data);
      } catch (err) {
        // appendJobLogs is not retried (lines could repeat): this batch is lost, the job is not.
        this.ctx.log.warn({ jobId: info.jobId, code: isNeoEngineError(err) ? err.code : "ERROR" }, "shipping job logs failed");
      }
    }
  }

  private buffer(t: Tracker, lines: string[]): void {
    const max = this.ctx.options.maxLogBytesPerJob;
    for (const line of lines) {
      if (t.truncated) return;
      const text = `${line}\n`;
      const bytes = Buffer.byteLength(text);
      if (t.shippedBytes + t.bufferBytes + bytes > max) {
        const marker = `[neoengine provider: log truncated after ${max} bytes]\n`;
        t.buffer.push(marker);
        t.bufferBytes += Buffer.byteLength(marker);
        t.truncated = true;
        return;
      }
      t.buffer.push(text);
      t.bufferBytes += bytes;
    }
  }
}
