import { parseNeoProvider, type NeoProvider, type NeoProviderNodeStatus, type NeoProviderStatus } from "../../api/index.js";
import {
  addFinalizer,
  done,
  hasFinalizer,
  patchStatus,
  removeFinalizer,
  requeueAfter,
  Resources,
  type Action,
  type Clock,
  type Informer,
  type KubeClient,
  type KubeObject,
  type Logger,
  type ResourceType,
} from "../../kube/index.js";
import { isNeoEngineError, type NeoEngineClient } from "../../neoengine/index.js";
import { buildJobNamespaceObjects, type JobNamespaceOptions } from "./build/job-namespace.js";
import { CredentialsError, type ProviderClients } from "./credentials.js";
import type { JobOwner, JobRunner } from "./job-runner.js";
import { freeCapacity, type Capacity } from "./model/capacity.js";
import type { NodeLike } from "./model/kube-types.js";
import { describeNode, isSelected, type NodeOffer } from "./model/node-offer.js";
import { NodeAgent, type NodeIntent } from "./node-agent.js";
import { jobTolerations, type NeoProviderOptions } from "./options.js";
import type { PodsByNode } from "./pod-index.js";
import { JobNamespaceResources } from "./resources.js";
import { canonical, rfc3339, sameStatus, setCondition, totals } from "./status.js";

// The NeoProvider reconcile: which nodes it sells and in what state, the job namespace and its
// guard rails, registration / drain / deregistration of each node, and the status.

export const DEREGISTER_FINALIZER = "neoengine.dev/deregister";
const FIELD_MANAGER = "neoengine-operator";
const NAMESPACE_REAPPLY_MS = 10 * 60_000;

export interface ProviderRuntime {
  name: string;
  np: NeoProvider;
  client: NeoEngineClient | undefined;
  agents: Map<string, NodeAgent>;
  namespaceApplied?: { hash: string; at: number };
  earnings?: { value: string; at: number };
  /** Providers left registered for nodes that vanished while no operator ran were deregistered. */
  orphansChecked?: boolean;
  lastEvents: Map<string, string>;
}

export interface ProviderReconcilerContext {
  kube: KubeClient;
  clock: Clock;
  log: Logger;
  options: NeoProviderOptions;
  clients: ProviderClients;
  neoProviders: Informer<KubeObject>;
  nodes: Informer<KubeObject>;
  podsByNode: PodsByNode;
  jobs: JobRunner;
  enqueue(npName: string, afterMs?: number): void;
  event(npName: string, type: "Normal" | "Warning", reason: string, note: string): void;
  hooks?: ProviderHooks;
}

/** Metric hooks (src/metrics' setProviderNodes / recordHeartbeatFailure / removeProvider fit). */
export interface ProviderHooks {
  /** The node rows of a NeoProvider, after every reconcile. */
  onNodes?(neoProvider: string, nodes: readonly NeoProviderNodeStatus[]): void;
  onHeartbeatFailure?(neoProvider: string): void;
  /** A NeoProvider is gone (drop its series). */
  onRemoved?(neoProvider: string): void;
}

export class ProviderReconciler {
  readonly runtimes = new Map<string, ProviderRuntime>();
  /** node → NeoProvider selling it (a node is sold once). */
  private readonly claims = new Map<string, string>();

  constructor(private readonly ctx: ProviderReconcilerContext) {}

  /** The agent and client speaking for a provider id (for the job runner). */
  owner(providerId: string): JobOwner | undefined {
    for (const rt of this.runtimes.values()) {
      if (!rt.client) continue;
      for (const agent of rt.agents.values()) if (agent.providerId === providerId) return { agent, np: rt.np, client: rt.client };
    }
    return undefined;
  }

  async reconcile(name: string): Promise<Action> {
    const obj = this.ctx.neoProviders.store.get(name);
    if (!obj) {
      await this.teardown(name);
      return done();
    }
    const parsed = (() => {
      try {
        return { np: parseNeoProvider(obj) };
      } catch (err) {
        return { error: err as Error };
      }
    })();
    if (!parsed.np) {
      await this.writeStatus(obj, (obj.status ?? {}) as NeoProviderStatus, { synced: { ok: false, reason: "InvalidSpec", message: parsed.error.message } });
      return done();
    }
    const np = parsed.np;
    const deleting = np.metadata.deletionTimestamp !== undefined;
    if (deleting && !hasFinalizer(obj, DEREGISTER_FINALIZER)) {
      await this.teardown(name);
      return done();
    }
    if (!deleting && !hasFinalizer(obj, DEREGISTER_FINALIZER)) {
      await addFinalizer(this.ctx.kube, Resources.neoProvider, { name }, DEREGISTER_FINALIZER, obj);
    }

    let rt = this.runtimes.get(name);
    if (!rt) {
      rt = { name, np, client: undefined, agents: new Map(), lastEvents: new Map() };
      this.runtimes.set(name, rt);
    }
    rt.np = np;
    try {
      const client = await this.ctx.clients.clientFor(np);
      if (rt.client && rt.client !== client) await this.withdrawAll(rt, "credentials changed");
      rt.client = client;
    } catch (err) {
      if (!(err instanceof CredentialsError)) throw err;
      await this.writeStatus(obj, np.status ?? {}, { synced: { ok: false, reason: err.reason, message: err.message } });
      this.ctx.event(name, "Warning", err.reason, err.message);
      return requeueAfter(30_000);
    }
    const client = rt.client;

    const offers = this.offers(rt);
    if (!deleting) {
      try {
        await this.ensureJobNamespace(rt, offers);
      } catch (err) {
        // Without its guard rails the namespace must not run strangers' jobs: sell nothing new.
        const message = `job namespace ${np.spec.jobNamespace} could not be set up: ${(err as Error).message}`;
        await this.writeStatus(obj, np.status ?? {}, { synced: { ok: false, reason: "JobNamespaceNotReady", message } });
        this.ctx.event(name, "Warning", "JobNamespaceNotReady", message);
        throw err;
      }
    }
    if (!rt.orphansChecked) {
      await this.deregisterOrphans(rt, client, new Set(offers.map((o) => o.name)));
      rt.orphansChecked = true;
    }

    // Bring each node's agent in line with what it should be.
    const errors: { node: string; code: string; message: string }[] = [];
    const stopping = deleting || np.spec.paused;
    const immediate = stopping && np.spec.drainPolicy === "Immediate";
    for (const offer of offers) {
      let agent = rt.agents.get(offer.name);
      if (!agent) {
        agent = this.newAgent(rt, client, offer);
        rt.agents.set(offer.name, agent);
      }
      agent.offer = offer;
      const active = this.ctx.jobs.activePodsOn(name, offer.name);
      if (immediate) for (const pod of active) await this.ctx.jobs.abort({ agent, np, client }, pod, "ProviderWithdrawn", `the provider stopped taking jobs (${deleting ? "NeoProvider deleted" : "paused"}, drainPolicy Immediate)`);
      const hasJobs = !immediate && active.length > 0;
      const intent: NodeIntent = !stopping && offer.sellable ? "online" : hasJobs ? "draining" : "withdrawn";
      const message = stopping ? (deleting ? "NeoProvider is being deleted" : "NeoProvider is paused") : offer.reason;
      await this.syncAgent(rt, agent, intent, message, errors);
    }
    // Nodes no longer sold: removed from the cluster, or no longer selected.
    const selected = new Set(offers.map((o) => o.name));
    for (const [nodeName, agent] of rt.agents) {
      if (selected.has(nodeName)) continue;
      const nodeExists = this.ctx.nodes.store.has(nodeName);
      const active = this.ctx.jobs.activePodsOn(name, nodeName);
      if (!nodeExists) {
        for (const pod of active) await this.ctx.jobs.abort({ agent, np, client }, pod, "NodeLost", `node ${nodeName} was removed from the cluster`);
      }
      const intent: NodeIntent = nodeExists && active.length > 0 && !immediate ? "draining" : "withdrawn";
      await this.syncAgent(rt, agent, intent, nodeExists ? "node is no longer selected" : "node was removed", errors);
      if (agent.state === "Withdrawn") {
        rt.agents.delete(nodeName);
        if (this.claims.get(nodeName) === name) this.claims.delete(nodeName);
      }
    }

    if (deleting) {
      const remaining = [...rt.agents.values()].filter((a) => a.state !== "Withdrawn").length + this.ctx.jobs.podsOf(name).length;
      if (remaining === 0 && errors.length === 0) {
        await this.teardown(name);
        await removeFinalizer(this.ctx.kube, Resources.neoProvider, { name }, DEREGISTER_FINALIZER);
        return done();
      }
      await this.writeStatus(obj, np.status ?? {}, { rt, synced: { ok: true } });
      return requeueAfter(5_000);
    }

    await this.refreshEarnings(rt, client);
    const firstError = errors[0];
    await this.writeStatus(obj, np.status ?? {}, {
      rt,
      synced: firstError ? { ok: false, reason: firstError.code, message: `node ${firstError.node}: ${firstError.message}` } : { ok: true },
    });
    if (errors.length > 0) throw new Error(`NeoProvider ${name}: ${errors.length} node(s) failed to sync; first: ${firstError?.message ?? ""}`);
    const draining = [...rt.agents.values()].some((a) => a.intent === "draining");
    return requeueAfter(draining ? 5_000 : this.ctx.options.resyncIntervalMs);
  }

  /**
   * Once per NeoProvider after a (re)start: providers this NeoProvider registered for nodes that
   * no longer exist (deleted while no operator was running) are deregistered, so the network
   * requeues their scheduled jobs at once instead of waiting for the heartbeat timeout.
   */
  private async deregisterOrphans(rt: ProviderRuntime, client: NeoEngineClient, nodes: Set<string>): Promise<void> {
    const prefix = `${rt.name}.`;
    for await (const p of client.iterateProviders({ limit: 100 })) {
      if (!p.name.startsWith(prefix) || p.state === "deregistered") continue;
      const nodeName = p.name.slice(prefix.length);
      if (nodes.has(nodeName) || this.ctx.nodes.store.has(nodeName)) continue;
      try {
        await client.deregisterProvider(p.id);
        this.ctx.event(rt.name, "Normal", "NodeDeregistered", `provider ${p.id} of vanished node ${nodeName} deregistered`);
      } catch (err) {
        // Another account's provider with the same name: not ours to touch.
        if (!(isNeoEngineError(err) && (err.code === "NOT_FOUND" || err.code === "FORBIDDEN"))) throw err;
      }
    }
  }

  private offers(rt: ProviderRuntime): NodeOffer[] {
    const tolerations = jobTolerations(this.ctx.options);
    const offers: NodeOffer[] = [];
    for (const obj of this.ctx.nodes.store.list()) {
      const node = obj as unknown as NodeLike;
      if (!isSelected(node, rt.np.spec)) continue;
      const owner = this.claims.get(node.metadata.name);
      if (owner !== undefined && owner !== rt.name && this.runtimes.has(owner)) {
        offers.push({ ...describeNode(node, rt.np.spec, tolerations), sellable: false, reason: `node is already sold by NeoProvider ${owner}` });
        continue;
      }
      this.claims.set(node.metadata.name, rt.name);
      offers.push(describeNode(node, rt.np.spec, tolerations));
    }
    return offers.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  private newAgent(rt: ProviderRuntime, client: NeoEngineClient, offer: NodeOffer): NodeAgent {
    return new NodeAgent(offer.name, offer, {
      neoProviderName: rt.name,
      client,
      clock: this.ctx.clock,
      log: this.ctx.log,
      assignmentWaitSeconds: this.ctx.options.assignmentWaitSeconds,
      heartbeatIntervalMs: this.ctx.options.heartbeatIntervalMs,
      region: this.ctx.options.region,
      freeCapacity: (agent) => this.freeFor(rt, agent),
      onAssignments: (agent) => {
        if (rt.client) void this.ctx.jobs.onAssignments(agent, { agent, np: rt.np, client: rt.client });
      },
      requestReconcile: () => this.ctx.enqueue(rt.name, 1_000),
      onHeartbeatFailure: () => this.ctx.hooks?.onHeartbeatFailure?.(rt.name),
    });
  }

  private async syncAgent(rt: ProviderRuntime, agent: NodeAgent, intent: NodeIntent, message: string | undefined, errors: { node: string; code: string; message: string }[]): Promise<void> {
    const before = agent.state;
    agent.intent = intent;
    agent.message = intent === "online" ? undefined : message;
    try {
      await agent.sync();
      if (intent === "online" && agent.lastError) errors.push({ node: agent.nodeName, ...agent.lastError });
    } catch (err) {
      agent.state = "Error";
      const code = isNeoEngineError(err) ? err.code : "Error";
      agent.message = `${code}: ${(err as Error).message}`.slice(0, 500);
      errors.push({ node: agent.nodeName, code, message: (err as Error).message });
    }
    if (agent.state !== before) {
      const reason = { Online: "NodeOnline", Draining: "NodeDraining", Withdrawn: "NodeWithdrawn", Error: "NodeError", Offline: "NodeOffline", Registering: "NodeRegistering" }[agent.state];
      const note =
        agent.state === "Online"
          ? `node ${agent.nodeName} sells ${agent.offer.gpus} × ${agent.offer.gpuModel ?? "no GPU"} as provider ${agent.providerId ?? "?"}`
          : `node ${agent.nodeName}: ${agent.message ?? agent.state}`;
      this.ctx.event(rt.name, agent.state === "Online" || agent.state === "Draining" ? "Normal" : "Warning", reason, note);
    }
  }

  /** Free capacity advertised by a node: nothing while draining or at maxJobsPerNode. */
  private freeFor(rt: ProviderRuntime, agent: NodeAgent): Capacity {
    const none = { cpuMillis: 0, memoryBytes: 0, gpus: 0 };
    if (agent.intent !== "online") return none;
    const max = rt.np.spec.maxJobsPerNode;
    if (max !== undefined) {
      const active = this.ctx.jobs.activePodsOn(rt.name, agent.nodeName).length;
      const waiting = [...(agent.assignments?.values() ?? [])].filter((a) => a.status === "scheduled").length;
      if (Math.max(active, waiting) >= max) return none;
    }
    const o = agent.offer;
    return freeCapacity({ cpuMillis: o.cpuMillis, memoryBytes: o.memoryBytes, gpus: o.gpus }, this.ctx.podsByNode.pods(agent.nodeName), o.gpuResource);
  }

  private async ensureJobNamespace(rt: ProviderRuntime, offers: NodeOffer[]): Promise<void> {
    const gpus: Record<string, number> = {};
    for (const o of offers) if (o.gpuResource) gpus[o.gpuResource] = (gpus[o.gpuResource] ?? 0) + o.gpus;
    const maxPods = (o: NodeOffer) => rt.np.spec.maxJobsPerNode ?? Math.max(1, o.gpus || Math.floor(o.cpuMillis / 1000));
    const opts: JobNamespaceOptions = {
      namespace: rt.np.spec.jobNamespace,
      neoProviderName: rt.name,
      allowRootContainers: rt.np.spec.allowRootContainers,
      quota: {
        pods: offers.reduce((a, o) => a + maxPods(o), 0),
        cpuMillis: offers.reduce((a, o) => a + o.cpuMillis, 0),
        memoryBytes: offers.reduce((a, o) => a + o.memoryBytes, 0),
        gpus,
      },
      maxPerContainer: {
        cpuMillis: Math.max(0, ...offers.map((o) => o.cpuMillis)),
        memoryBytes: Math.max(0, ...offers.map((o) => o.memoryBytes)),
      },
    };
    const objects = buildJobNamespaceObjects(opts);
    const hash = canonical(objects);
    const now = this.ctx.clock.now();
    if (rt.namespaceApplied && rt.namespaceApplied.hash === hash && now - rt.namespaceApplied.at < NAMESPACE_REAPPLY_MS) return;
    const types: ResourceType[] = [
      Resources.namespace,
      JobNamespaceResources.serviceAccount,
      JobNamespaceResources.networkPolicy,
      JobNamespaceResources.resourceQuota,
      JobNamespaceResources.limitRange,
    ];
    for (const [i, obj] of objects.entries()) {
      const type = types[i] as ResourceType;
      const meta = obj.metadata as { name: string; namespace?: string };
      await this.ctx.kube.apply(type, { name: meta.name, ...(meta.namespace ? { namespace: meta.namespace } : {}) }, obj, FIELD_MANAGER);
    }
    rt.namespaceApplied = { hash, at: now };
  }

  private async refreshEarnings(rt: ProviderRuntime, client: NeoEngineClient): Promise<void> {
    const now = this.ctx.clock.now();
    if (rt.earnings && now - rt.earnings.at < this.ctx.options.earningsIntervalMs) return;
    try {
      const earnings = await client.getEarnings();
      rt.earnings = { value: earnings.total, at: now };
    } catch (err) {
      this.ctx.log.warn({ np: rt.name, code: isNeoEngineError(err) ? err.code : "ERROR" }, "reading earnings failed");
    }
  }

  /** Forces the earnings to be re-read at the next reconcile (a job just ended). */
  invalidateEarnings(npName: string): void {
    const rt = this.runtimes.get(npName);
    if (rt) delete rt.earnings;
  }

  private nodeStatus(rt: ProviderRuntime): NeoProviderNodeStatus[] {
    return [...rt.agents.values()]
      .map((agent) => {
        const o = agent.offer;
        const free = freeCapacity({ cpuMillis: o.cpuMillis, memoryBytes: o.memoryBytes, gpus: o.gpus }, this.ctx.podsByNode.pods(agent.nodeName), o.gpuResource);
        return {
          name: agent.nodeName,
          ...(agent.providerId ? { providerId: agent.providerId } : {}),
          ...(o.gpuModel ? { gpuModel: o.gpuModel } : {}),
          gpus: o.gpus,
          freeGpus: free.gpus,
          state: agent.state,
          runningJobs: this.ctx.jobs.activePodsOn(rt.name, agent.nodeName).length,
          ...(agent.message ? { message: agent.message.slice(0, 500) } : {}),
        } satisfies NeoProviderNodeStatus;
      })
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  private async writeStatus(
    obj: KubeObject,
    current: NeoProviderStatus,
    what: { rt?: ProviderRuntime; synced: { ok: true } | { ok: false; reason: string; message: string } },
  ): Promise<void> {
    const now = this.ctx.clock.now();
    const next: NeoProviderStatus = { ...current, observedGeneration: obj.metadata.generation };
    if (what.rt) {
      const nodes = this.nodeStatus(what.rt);
      this.ctx.hooks?.onNodes?.(what.rt.name, nodes);
      Object.assign(next, { nodes, ...totals(nodes) });
      if (what.rt.earnings) next.earnings = what.rt.earnings.value;
      const online = nodes.filter((n) => n.state === "Online").length;
      next.conditions = setCondition(
        next.conditions,
        online > 0
          ? { type: "Ready", status: "True", reason: "NodesOnline", message: `${online} of ${nodes.length} node(s) online` }
          : { type: "Ready", status: "False", reason: what.rt.np.spec.paused ? "Paused" : "NoNodeOnline", message: `0 of ${nodes.length} node(s) online` },
        now,
      );
    }
    next.conditions = setCondition(
      next.conditions,
      what.synced.ok
        ? { type: "Synced", status: "True", reason: "Synced", message: "nodes are in sync with the network" }
        : { type: "Synced", status: "False", reason: what.synced.reason, message: what.synced.message.slice(0, 1000) },
      now,
    );
    for (const c of next.conditions) c.observedGeneration = obj.metadata.generation;
    if (sameStatus(current, next)) return;
    await patchStatus(this.ctx.kube, Resources.neoProvider, { name: obj.metadata.name }, next as Record<string, unknown>);
  }

  private async withdrawAll(rt: ProviderRuntime, why: string): Promise<void> {
    for (const agent of rt.agents.values()) {
      agent.intent = "withdrawn";
      agent.message = why;
      await agent.deregister().catch((err: unknown) => this.ctx.log.warn({ err, node: agent.nodeName }, "deregistration failed"));
    }
    rt.agents.clear();
  }

  /** Stops everything of a NeoProvider (deleted): deregisters its nodes. */
  async teardown(name: string): Promise<void> {
    const rt = this.runtimes.get(name);
    if (!rt) return;
    await this.withdrawAll(rt, "NeoProvider deleted");
    this.runtimes.delete(name);
    this.ctx.hooks?.onRemoved?.(name);
    for (const [node, owner] of this.claims) if (owner === name) this.claims.delete(node);
  }

  /** Stops the loops without deregistering (operator shutdown / lost leadership): jobs keep running. */
  async stopAll(): Promise<void> {
    for (const rt of this.runtimes.values()) for (const agent of rt.agents.values()) await agent.stopLoops();
  }

  nowRfc3339(): string {
    return rfc3339(this.ctx.clock.now());
  }
}
