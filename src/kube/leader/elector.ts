import { jitter, realClock, sleep, type Clock } from "../clock/clock.js";
import { silentLogger, type LeaderElectionMetrics, type Logger } from "../metrics.js";
import type { LeaderRecord, LeaseStore, StoredRecord } from "./lease-store.js";

// Lease-based leader election with client-go's timing rules:
// - a candidate takes a lease only when it is free (holder "") or when the record it observed has
//   not changed for leaseDuration, measured on the candidate's OWN clock from when it observed the
//   record (so clock skew between replicas does not matter);
// - the leader renews every retryPeriod and steps down if it could not renew for renewDeadline,
//   which is shorter than leaseDuration, so it stops acting before anyone else may take over;
// - stop() releases the lease (holder ""), so a successor takes over at its next retry.

export interface LeaderElectorOptions {
  lock: LeaseStore;
  identity: string;
  /** How long a lease is valid without renewal. Default 15 s. */
  leaseDurationMs?: number;
  /** The leader steps down when it could not renew for this long. Default 10 s. */
  renewDeadlineMs?: number;
  /** Interval between acquire/renew attempts. Default 2 s. */
  retryPeriodMs?: number;
  /** Release the lease on stop(). Default true. */
  releaseOnStop?: boolean;
  /** Called when this candidate becomes leader; the signal aborts when leadership ends. */
  onStartedLeading?: (signal: AbortSignal) => void | Promise<void>;
  /** Called when leadership ends (lost, or stop()); awaited before the lease is released or re-contested. */
  onStoppedLeading?: () => void | Promise<void>;
  /** Called whenever the observed leader changes (including to this candidate). */
  onNewLeader?: (identity: string) => void;
  clock?: Clock;
  logger?: Logger;
  metrics?: LeaderElectionMetrics;
  /** Name for the leader_election_master_status metric. Default the lock description. */
  name?: string;
  random?: () => number;
}

const JITTER = 1.2;

export class LeaderElector {
  private readonly lock: LeaseStore;
  private readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly opts: LeaderElectorOptions;
  private readonly random: () => number;

  private observed: StoredRecord | undefined;
  private observedAt = 0;
  private leading = false;
  private lastRenew = 0;
  private reportedLeader: string | undefined;
  private stopController = new AbortController();
  private leadController: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(opts: LeaderElectorOptions) {
    this.opts = opts;
    this.lock = opts.lock;
    this.identity = opts.identity;
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? silentLogger;
    this.random = opts.random ?? Math.random;
    if (!this.identity) throw new Error("leader election: identity must not be empty");
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error("leader election: leaseDuration must be greater than renewDeadline");
    if (this.renewDeadlineMs <= JITTER * this.retryPeriodMs) throw new Error("leader election: renewDeadline must be greater than retryPeriod*1.2");
    if (this.leaseDurationMs % 1000 !== 0) throw new Error("leader election: leaseDuration must be whole seconds (Lease stores seconds)");
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder of the lease as last observed ("" when free, undefined before the first read). */
  leader(): string | undefined {
    return this.observed?.record.holderIdentity;
  }

  /** Starts campaigning in the background; resolves immediately. */
  start(): void {
    if (this.running) return;
    this.stopController = new AbortController();
    this.running = this.loop().catch((err: unknown) => this.log.error({ err }, "leader election loop crashed"));
  }

  /** Stops campaigning; a leader steps down (and releases the lease unless releaseOnStop=false). */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.running;
    this.running = undefined;
    if (this.leading) {
      // Stop our work first, then free the lease: releasing first would let a successor start
      // while our in-flight work is still running.
      await this.stepDown("stopped");
      if (this.opts.releaseOnStop ?? true) await this.release();
    }
  }

  private async loop(): Promise<void> {
    const signal = this.stopController.signal;
    while (!signal.aborted) {
      // Candidate: try until we hold the lease.
      while (!signal.aborted && !this.leading) {
        if (await this.tryAcquireOrRenew()) {
          this.leading = true;
          this.lastRenew = this.clock.now();
          this.leadController = new AbortController();
          this.opts.metrics?.masterStatus?.(this.metricName(), true);
          this.log.info({ identity: this.identity, lock: this.lock.description }, "became leader");
          this.safely(() => this.opts.onStartedLeading?.(this.leadController!.signal));
          break;
        }
        await sleep(this.clock, jitter(this.retryPeriodMs * JITTER, 1 - 1 / JITTER, this.random), signal);
      }
      // Leader: renew every retryPeriod until a renewal is overdue or another holder appears.
      while (!signal.aborted && this.leading) {
        await sleep(this.clock, this.retryPeriodMs, signal);
        if (signal.aborted) break;
        const renewed = await this.tryAcquireOrRenew();
        const now = this.clock.now();
        if (renewed) {
          this.lastRenew = now;
          continue;
        }
        const takenOver = this.observed !== undefined && this.observed.record.holderIdentity !== this.identity && this.observed.record.holderIdentity !== "";
        if (takenOver || now - this.lastRenew >= this.renewDeadlineMs) {
          this.log.warn({ identity: this.identity, takenOver }, "lost leadership");
          await this.stepDown("lost");
        }
      }
    }
  }

  private async stepDown(why: string): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.leadController?.abort();
    this.opts.metrics?.masterStatus?.(this.metricName(), false);
    this.log.info({ identity: this.identity, why }, "stopped leading");
    // Awaited: after losing the lease we campaign again only once our work has stopped.
    try {
      await this.opts.onStoppedLeading?.();
    } catch (err) {
      this.log.error({ err }, "onStoppedLeading failed");
    }
  }

  /** One attempt; true when this candidate holds a fresh lease afterwards. Never throws. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    try {
      const current = await this.lock.get();
      if (!current) {
        const created = await this.lock.create(this.recordFor(undefined, now));
        if (!created) return false;
        this.observe(created, now);
        return true;
      }
      this.observe(current, now);
      const r = current.record;
      const heldByOther = r.holderIdentity !== "" && r.holderIdentity !== this.identity;
      if (heldByOther && this.observedAt + r.leaseDurationSeconds * 1000 > now) return false;
      const updated = await this.lock.update(this.recordFor(r, now), current.resourceVersion);
      if (!updated) return false;
      this.observe(updated, now);
      return true;
    } catch (err) {
      this.log.warn({ err, lock: this.lock.description }, "leader election: lease request failed");
      return false;
    }
  }

  private recordFor(previous: LeaderRecord | undefined, now: number): LeaderRecord {
    const mine = previous?.holderIdentity === this.identity;
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseDurationMs / 1000,
      acquireTime: mine && previous ? previous.acquireTime : now,
      renewTime: now,
      leaseTransitions: previous ? (mine ? previous.leaseTransitions : previous.leaseTransitions + 1) : 0,
    };
  }

  /** Remembers when the record last changed, on our own clock. */
  private observe(stored: StoredRecord, now: number): void {
    const prev = this.observed?.record;
    const r = stored.record;
    if (!prev || prev.holderIdentity !== r.holderIdentity || prev.renewTime !== r.renewTime || prev.leaseDurationSeconds !== r.leaseDurationSeconds) {
      this.observedAt = now;
    }
    this.observed = stored;
    if (r.holderIdentity !== this.reportedLeader) {
      this.reportedLeader = r.holderIdentity;
      if (r.holderIdentity) this.safely(() => this.opts.onNewLeader?.(r.holderIdentity));
    }
  }

  private async release(): Promise<void> {
    const now = this.clock.now();
    try {
      const current = await this.lock.get();
      if (!current || current.record.holderIdentity !== this.identity) return;
      await this.lock.update(
        { holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: current.record.leaseTransitions },
        current.resourceVersion,
      );
    } catch (err) {
      this.log.warn({ err }, "leader election: release failed; the lease will expire instead");
    }
  }

  private metricName(): string {
    return this.opts.name ?? this.lock.description;
  }

  private safely(fn: () => void | Promise<void>): void {
    try {
      const r = fn();
      if (r && typeof (r as Promise<void>).catch === "function") {
        (r as Promise<void>).catch((err: unknown) => this.log.error({ err }, "leader election callback failed"));
      }
    } catch (err) {
      this.log.error({ err }, "leader election callback threw");
    }
  }
}
