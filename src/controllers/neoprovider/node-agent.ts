import type { NeoProviderNodeState } from "../../api/neoprovider.js";
import { jitter, sleep, type Clock, type Logger } from "../../kube/index.js";
import { isNeoEngineError, type Assignment, type NeoEngineClient, type RegisterProviderRequest } from "../../neoengine/index.js";
import type { Capacity } from "./model/capacity.js";
import type { NodeOffer } from "./model/node-offer.js";
import { formatBytes } from "./model/quantity.js";

// One Kubernetes node sold as one NeoEngine provider: registration, a heartbeat loop carrying
// free capacity, and a long-poll loop over its assignments. The NeoProvider reconcile decides
// what the node should be (online, draining, withdrawn) and calls sync(); the loops run on their
// own between reconciles and report back through the callbacks.

/** What the reconcile wants of the node. */
export type NodeIntent = "online" | "draining" | "withdrawn";

export interface NodeAgentContext {
  neoProviderName: string;
  client: NeoEngineClient;
  clock: Clock;
  log: Logger;
  assignmentWaitSeconds: number;
  heartbeatIntervalMs?: number;
  region?: string;
  /** Free capacity to advertise now (already limited by maxJobsPerNode / intent). */
  freeCapacity(agent: NodeAgent): Capacity;
  /** A new assignment snapshot arrived. */
  onAssignments(agent: NodeAgent): void;
  /** Something changed that the NeoProvider reconcile should look at (e.g. re-register). */
  requestReconcile(): void;
  onHeartbeatFailure?(): void;
}

export class NodeAgent {
  offer: NodeOffer;
  intent: NodeIntent = "withdrawn";
  providerId: string | undefined;
  state: NeoProviderNodeState = "Registering";
  message: string | undefined;
  /** Last successful assignment snapshot (undefined until the first poll answered). */
  assignments: Map<string, Assignment> | undefined;
  version: number | undefined;
  lastHeartbeatOk = 0;
  lastError: { code: string; message: string } | undefined;
  /** Counters for tests and the bench. */
  readonly stats = { registrations: 0, heartbeats: 0, heartbeatFailures: 0, polls: 0, deregistrations: 0 };

  private registeredFingerprint: string | undefined;
  private loops: { stop: AbortController; done: Promise<void> } | undefined;
  private heartbeatTimeoutMs = 30_000;

  constructor(
    readonly nodeName: string,
    offer: NodeOffer,
    private readonly ctx: NodeAgentContext,
  ) {
    this.offer = offer;
  }

  /** Provider name on the network: unique per account, stable across restarts (same id back). */
  get providerName(): string {
    return `${this.ctx.neoProviderName}.${this.nodeName}`.slice(0, 253);
  }

  get registered(): boolean {
    return this.providerId !== undefined;
  }

  registration(): RegisterProviderRequest {
    const o = this.offer;
    const prices = o.prices ?? { cpu: "0", memory: "0", gpu: "0" };
    return {
      name: this.providerName,
      ...(this.ctx.region ? { region: this.ctx.region } : {}),
      resources: {
        cpu: o.cpuMillis / 1000,
        memory: formatBytes(o.memoryBytes),
        gpu: o.gpus,
        ...(o.gpus > 0 && o.gpuModel ? { gpuModel: o.gpuModel } : {}),
        ...(o.gpus > 0 && o.gpuMemoryBytes ? { gpuMemory: formatBytes(o.gpuMemoryBytes) } : {}),
      },
      prices: { cpu: prices.cpu, memory: prices.memory, gpu: prices.gpu },
    };
  }

  /**
   * Brings the network in line with the intent. online/draining: registered (again when the
   * resources or prices changed) with loops running; withdrawn: deregistered, loops stopped.
   * Throws NeoEngineError on failure (the reconcile's error policy retries).
   */
  async sync(): Promise<void> {
    if (this.intent === "withdrawn") {
      await this.deregister();
      return;
    }
    const request = this.registration();
    const fingerprint = JSON.stringify(request);
    if (!this.providerId || fingerprint !== this.registeredFingerprint) {
      const provider = await this.ctx.client.registerProvider(request);
      this.stats.registrations++;
      this.providerId = provider.id;
      this.registeredFingerprint = fingerprint;
      this.lastHeartbeatOk = this.ctx.clock.now();
      this.ctx.log.info({ node: this.nodeName, providerId: provider.id, model: this.offer.gpuModel }, "node registered as provider");
    }
    this.state = this.intent === "online" ? "Online" : "Draining";
    this.startLoops();
  }

  /** Deregisters (scheduled jobs go back to pending on the network; running ones fail). */
  async deregister(): Promise<void> {
    await this.stopLoops();
    if (this.providerId) {
      try {
        await this.ctx.client.deregisterProvider(this.providerId);
        this.stats.deregistrations++;
        this.ctx.log.info({ node: this.nodeName, providerId: this.providerId }, "node deregistered");
      } catch (err) {
        if (!(isNeoEngineError(err) && err.code === "NOT_FOUND")) throw err;
      }
    }
    this.registeredFingerprint = undefined;
    this.assignments = undefined;
    this.version = undefined;
    this.state = "Withdrawn";
  }

  private startLoops(): void {
    if (this.loops) return;
    const stop = new AbortController();
    const done = Promise.all([this.heartbeatLoop(stop.signal), this.pollLoop(stop.signal)]).then(() => undefined);
    this.loops = { stop, done };
  }

  async stopLoops(): Promise<void> {
    const loops = this.loops;
    if (!loops) return;
    this.loops = undefined;
    loops.stop.abort();
    await loops.done;
  }

  /** Sends one heartbeat now (also used right after a capacity change). */
  async heartbeat(signal?: AbortSignal): Promise<void> {
    const id = this.providerId;
    if (!id) return;
    const free = this.ctx.freeCapacity(this);
    try {
      const res = await this.ctx.client.heartbeat(
        id,
        { free: { cpu: Math.floor(free.cpuMillis) / 1000, memory: formatBytes(free.memoryBytes), gpu: free.gpus } },
        { signal },
      );
      this.stats.heartbeats++;
      this.heartbeatTimeoutMs = res.heartbeatTimeoutSeconds * 1000;
      this.lastHeartbeatOk = this.ctx.clock.now();
      if (this.lastError) {
        this.lastError = undefined;
        this.ctx.requestReconcile();
      }
      if (this.state === "Offline" || this.state === "Error") {
        this.state = this.intent === "online" ? "Online" : "Draining";
        this.ctx.requestReconcile();
      }
    } catch (err) {
      if (signal?.aborted) return;
      this.stats.heartbeatFailures++;
      this.ctx.onHeartbeatFailure?.();
      this.lastError = { code: isNeoEngineError(err) ? err.code : "ERROR", message: (err as Error).message };
      if (isNeoEngineError(err) && (err.code === "CONFLICT" || err.code === "NOT_FOUND")) {
        // Deregistered or gone on the network (e.g. by an operator elsewhere): register again.
        this.providerId = undefined;
        this.registeredFingerprint = undefined;
        this.state = "Registering";
      } else if (this.ctx.clock.now() - this.lastHeartbeatOk > this.heartbeatTimeoutMs) {
        this.state = "Offline";
      }
      this.ctx.log.warn({ node: this.nodeName, code: this.lastError.code }, "heartbeat failed");
      this.ctx.requestReconcile();
    }
  }

  private intervalMs(): number {
    return this.ctx.heartbeatIntervalMs ?? Math.max(1_000, this.heartbeatTimeoutMs / 3);
  }

  private async heartbeatLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.heartbeat(signal);
      await sleep(this.ctx.clock, jitter(this.intervalMs(), 0.1), signal);
    }
  }

  private async pollLoop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const id = this.providerId;
      if (!id) {
        await sleep(this.ctx.clock, 1_000, signal);
        continue;
      }
      try {
        const snapshot = await this.ctx.client.getAssignments(id, {
          wait: this.ctx.assignmentWaitSeconds,
          ...(this.version !== undefined ? { since: this.version } : {}),
          signal,
        });
        this.stats.polls++;
        failures = 0;
        if (signal.aborted || id !== this.providerId) continue;
        const changed = snapshot.version !== this.version || this.assignments === undefined;
        this.version = snapshot.version;
        this.assignments = new Map(snapshot.assignments.map((a) => [a.jobId, a]));
        if (changed) this.ctx.onAssignments(this);
      } catch (err) {
        if (signal.aborted) return;
        failures++;
        this.ctx.log.warn({ node: this.nodeName, code: isNeoEngineError(err) ? err.code : "ERROR" }, "assignments poll failed");
        if (isNeoEngineError(err) && (err.code === "NOT_FOUND" || err.code === "FORBIDDEN")) this.ctx.requestReconcile();
        await sleep(this.ctx.clock, jitter(Math.min(30_000, 500 * 2 ** failures)), signal);
      }
    }
  }
}
