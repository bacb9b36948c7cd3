import type { NeoJob, NeoJobPhase, NeoJobStatus } from "../../api/index.js";
import { keyOf } from "../../kube/client/resource.js";
import { setCondition } from "./conditions.js";
import type { EventType, NeoJobWriter } from "./types.js";

// The reconcile scope (cluster-api style): the object as read, a draft of its status that the
// phases edit, and what they ask for (a requeue, a stop). The status is written once at the end
// (flush); the submit phase flushes early on purpose, to record the pending marker before POST.

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Stable JSON (sorted keys) so "nothing changed" is an exact comparison. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** JSON merge patch turning `from` into `to` (top level of status; nested values replaced whole). */
export function statusMergePatch(from: NeoJobStatus, to: NeoJobStatus): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(from), ...Object.keys(to)]);
  for (const key of keys) {
    const a = (from as Record<string, unknown>)[key];
    const b = (to as Record<string, unknown>)[key];
    if (b === undefined) {
      if (a !== undefined) patch[key] = null;
    } else if (canonical(a) !== canonical(b)) {
      patch[key] = b;
    }
  }
  return patch;
}

/** A remote timestamp normalised to RFC 3339 seconds; `now` when absent or unparsable. */
export function rfc3339OrNow(value: string | null | undefined, nowMs: number): string {
  const ms = value ? Date.parse(value) : NaN;
  return rfc3339(Number.isNaN(ms) ? nowMs : ms);
}

export const TERMINAL_PHASES: readonly NeoJobPhase[] = ["Succeeded", "Failed", "Cancelled"];
export const isTerminalPhase = (phase: NeoJobPhase | undefined): boolean => phase !== undefined && TERMINAL_PHASES.includes(phase);

export class JobScope {
  job: NeoJob;
  /** Status as last written (or read); the baseline for "did anything change". */
  written: NeoJobStatus;
  /** The draft the phases edit. */
  status: NeoJobStatus;
  readonly key: string;
  readonly nowMs: number;
  /** Set by a phase that wants the rest of the phases skipped this round. */
  halted = false;
  /** resourceVersions produced by this reconcile's writes, oldest first. */
  readonly writtenVersions: string[] = [];
  /** Set when a phase recorded Synced=False itself (e.g. a submission the network refused). */
  syncFailed = false;
  private requeueMs: number | undefined;
  /** The phase the last phase-change Event was about (initially the phase as read). */
  private eventedPhase: NeoJobPhase | undefined;
  private readonly pendingEvents: Array<{ type: EventType; reason: string; message: string }> = [];

  constructor(job: NeoJob, nowMs: number) {
    this.job = job;
    this.written = structuredClone(job.status ?? {});
    this.status = structuredClone(job.status ?? {});
    this.eventedPhase = job.status?.phase;
    this.key = keyOf({ namespace: job.metadata.namespace, name: job.metadata.name });
    this.nowMs = nowMs;
  }

  get now(): string {
    return rfc3339(this.nowMs);
  }

  get generation(): number | undefined {
    return this.job.metadata.generation;
  }

  /** Records Synced=False with the NeoEngine error code as reason (a terminal refusal). */
  failSync(reason: string, message: string): void {
    this.syncFailed = true;
    setCondition(this.status, "Synced", "False", reason, message, this.now, this.generation);
  }

  /** The end of a successful reconcile: Synced=True (unless a phase failed it) and observedGeneration. */
  markReconciled(): void {
    // A refusal by the network (Failed without a job id) keeps its Synced=False reason for good.
    const refused = this.status.phase === "Failed" && !this.status.jobId;
    if (!this.syncFailed && !refused) setCondition(this.status, "Synced", "True", "Synced", "in sync with the NeoEngine network", this.now, this.generation);
    if (this.generation !== undefined) this.status.observedGeneration = this.generation;
  }

  halt(): void {
    this.halted = true;
  }

  /** Keeps the earliest requested requeue. */
  requeueAfter(ms: number): void {
    this.requeueMs = this.requeueMs === undefined ? ms : Math.min(this.requeueMs, ms);
  }

  get requestedRequeueMs(): number | undefined {
    return this.requeueMs;
  }

  /** An Event to record after the next successful status write (besides the phase-change events). */
  event(type: EventType, reason: string, message: string): void {
    this.pendingEvents.push({ type, reason, message });
  }

  changed(): boolean {
    return canonical(this.written) !== canonical(this.status);
  }

  /**
   * Writes the draft status if it differs from what the object carries (no write otherwise),
   * then records an Event for a phase change and any queued events.
   */
  async flush(writer: NeoJobWriter, opts: { events?: boolean; onPhaseChange?: (job: NeoJob, from: string | undefined, to: string) => void } = {}): Promise<void> {
    if (this.changed()) {
      const patch = statusMergePatch(this.written, this.status);
      const before = this.written.phase;
      const updated = await writer.patchStatus(this.job, patch);
      if (updated.metadata.resourceVersion) this.writtenVersions.push(updated.metadata.resourceVersion);
      // Keep the draft as the truth (the answer may lag for fields we just cleared with null).
      this.job = { ...updated, status: structuredClone(this.status) };
      this.written = structuredClone(this.status);
      if (this.status.phase && this.status.phase !== before) opts.onPhaseChange?.(this.job, before, this.status.phase);
    }
    if (opts.events === false) return;
    // Events are best effort and must not slow the reconcile down: recorded in the background.
    if (this.status.phase && this.status.phase !== this.eventedPhase) {
      this.eventedPhase = this.status.phase;
      const warn = this.status.phase === "Failed";
      void writer.event(this.job, warn ? "Warning" : "Normal", this.status.phase, this.status.message ?? `NeoJob is ${this.status.phase}`);
    }
    const events = this.pendingEvents.splice(0);
    for (const e of events) void writer.event(this.job, e.type, e.reason, e.message);
  }
}
