import { JOB_CONTAINER } from "../labels.js";
import type { ContainerStateTerminated, PodLike } from "./kube-types.js";

// What a job Pod's state means for the network job: Pod phase → job event. "pending" and
// "scheduled" are reported to nobody (the network already has the job as scheduled); "running"
// starts the meter; the terminal outcomes end the job with exit code, message and timings.

export type PodOutcome =
  | { kind: "pending"; reason?: string; since?: string }
  | { kind: "scheduled"; nodeName: string }
  | { kind: "running"; startedAt?: string }
  | {
      kind: "succeeded" | "failed" | "timed_out";
      exitCode: number;
      message: string;
      reason?: string;
      startedAt?: string;
      finishedAt?: string;
    };

export type TerminalOutcome = Extract<PodOutcome, { kind: "succeeded" | "failed" | "timed_out" }>;

export function isTerminalOutcome(o: PodOutcome): o is TerminalOutcome {
  return o.kind === "succeeded" || o.kind === "failed" || o.kind === "timed_out";
}

/** Waiting reasons that no amount of waiting fixes. */
const FATAL_WAITING = new Set(["InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError"]);
/** Waiting reasons that may clear up (registry hiccups) but fail the job if they last. */
const STUCK_WAITING = new Set(["ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff", "RunContainerError"]);

export interface OutcomeOptions {
  nowMs: number;
  /** How long a Pod may stay unschedulable or stuck pulling its image before the job fails. */
  pendingTimeoutMs: number;
}

const MAX_MESSAGE = 4096;
const clip = (s: string) => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s);

function jobContainerStatus(pod: PodLike) {
  return pod.status?.containerStatuses?.find((c) => c.name === JOB_CONTAINER) ?? pod.status?.containerStatuses?.[0];
}

function terminatedState(pod: PodLike): ContainerStateTerminated | undefined {
  const cs = jobContainerStatus(pod);
  return cs?.state?.terminated ?? cs?.lastState?.terminated;
}

/** Why the Pod was disrupted (eviction, preemption, node loss), from the DisruptionTarget condition. */
function disruption(pod: PodLike): string | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === "DisruptionTarget" && x.status === "True");
  return c ? [c.reason, c.message].filter(Boolean).join(": ") : undefined;
}

export function podOutcome(pod: PodLike, opts: OutcomeOptions): PodOutcome {
  const phase = pod.status?.phase;
  const term = terminatedState(pod);
  const started = pod.status?.startTime;
  const timings = {
    ...(term?.startedAt ?? started ? { startedAt: term?.startedAt ?? started } : {}),
    ...(term?.finishedAt ? { finishedAt: term.finishedAt } : {}),
  };

  if (phase === "Succeeded") {
    return { kind: "succeeded", exitCode: term?.exitCode ?? 0, message: clip(term?.message?.trim() || "completed"), ...timings };
  }
  if (phase === "Failed") {
    const reason = pod.status?.reason;
    if (reason === "DeadlineExceeded") {
      return {
        kind: "timed_out",
        exitCode: term?.exitCode ?? -1,
        reason,
        message: clip(pod.status?.message || "the job ran past its timeout (activeDeadlineSeconds)"),
        ...timings,
      };
    }
    const cause = disruption(pod);
    if (reason === "Evicted" || cause) {
      return {
        kind: "failed",
        exitCode: term?.exitCode ?? -1,
        reason: reason ?? "Disrupted",
        message: clip(`evicted: ${[pod.status?.message, cause].filter(Boolean).join("; ") || "the Pod was evicted"}`),
        ...timings,
      };
    }
    const exitCode = term?.exitCode ?? -1;
    const detail = term?.message?.trim() || term?.reason || pod.status?.message || reason || "the job failed";
    return {
      kind: "failed",
      exitCode,
      ...(term?.reason || reason ? { reason: term?.reason ?? reason } : {}),
      message: clip(exitCode === -1 ? detail : `exit code ${exitCode}: ${detail}`),
      ...timings,
    };
  }
  if (pod.metadata.deletionTimestamp) {
    return { kind: "failed", exitCode: -1, reason: "Deleted", message: clip(`the Pod was deleted${disruption(pod) ? ` (${disruption(pod)})` : ""}`), ...timings };
  }

  const cs = jobContainerStatus(pod);
  const waiting = cs?.state?.waiting;
  if (phase === "Running" && cs?.state?.running) return { kind: "running", ...(cs.state.running.startedAt ? { startedAt: cs.state.running.startedAt } : {}) };
  if (phase === "Running") return { kind: "running", ...(started ? { startedAt: started } : {}) };

  // Pending: not yet bound, or bound and waiting for the image / container.
  if (waiting?.reason && FATAL_WAITING.has(waiting.reason)) {
    return { kind: "failed", exitCode: -1, reason: waiting.reason, message: clip(`${waiting.reason}: ${waiting.message ?? "container cannot start"}`) };
  }
  const unschedulable = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable");
  const stuckSince = unschedulable?.lastTransitionTime ?? (waiting?.reason && STUCK_WAITING.has(waiting.reason) ? (started ?? pod.metadata.creationTimestamp) : undefined);
  const stuckReason = unschedulable ? "Unschedulable" : waiting?.reason && STUCK_WAITING.has(waiting.reason) ? waiting.reason : undefined;
  if (stuckReason && stuckSince) {
    const since = Date.parse(stuckSince);
    if (!Number.isNaN(since) && opts.nowMs - since >= opts.pendingTimeoutMs) {
      const detail = unschedulable?.message ?? waiting?.message ?? "";
      return { kind: "failed", exitCode: -1, reason: stuckReason, message: clip(`${stuckReason} for ${Math.round((opts.nowMs - since) / 1000)}s${detail ? `: ${detail}` : ""}`) };
    }
    return { kind: "pending", reason: stuckReason, since: stuckSince };
  }
  if (pod.spec?.nodeName) return { kind: "scheduled", nodeName: pod.spec.nodeName };
  return { kind: "pending" };
}

/** Milliseconds between two RFC 3339 times, or undefined. */
export function durationSeconds(startedAt?: string, finishedAt?: string): number | undefined {
  if (!startedAt || !finishedAt) return undefined;
  const a = Date.parse(startedAt);
  const b = Date.parse(finishedAt);
  return Number.isNaN(a) || Number.isNaN(b) ? undefined : Math.max(0, (b - a) / 1000);
}
