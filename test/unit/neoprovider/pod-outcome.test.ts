import { describe, expect, it } from "vitest";
import { durationSeconds, podOutcome } from "../../../src/controllers/neoprovider/model/pod-outcome.js";
import type { PodLike } from "../../../src/controllers/neoprovider/model/kube-types.js";

const now = Date.parse("2026-01-01T00:10:00Z");
const opts = { nowMs: now, pendingTimeoutMs: 5 * 60_000 };

function pod(status: PodLike["status"], extra: Partial<PodLike["spec"]> = {}, meta: Partial<PodLike["metadata"]> = {}): PodLike {
  return { metadata: { name: "p", creationTimestamp: "2026-01-01T00:00:00Z", ...meta }, spec: { ...extra }, status };
}

const terminated = (exitCode: number, extra: Record<string, string> = {}) => ({
  containerStatuses: [
    { name: "job", state: { terminated: { exitCode, startedAt: "2026-01-01T00:01:00Z", finishedAt: "2026-01-01T00:03:30Z", ...extra } } },
  ],
});

describe("podOutcome", () => {
  it("pending before binding, scheduled once bound", () => {
    expect(podOutcome(pod({ phase: "Pending" }), opts)).toEqual({ kind: "pending" });
    expect(podOutcome(pod({ phase: "Pending" }, { nodeName: "n1" }), opts)).toEqual({ kind: "scheduled", nodeName: "n1" });
  });

  it("running with the container's start time", () => {
    const p = pod({ phase: "Running", startTime: "2026-01-01T00:00:30Z", containerStatuses: [{ name: "job", state: { running: { startedAt: "2026-01-01T00:01:00Z" } } }] });
    expect(podOutcome(p, opts)).toEqual({ kind: "running", startedAt: "2026-01-01T00:01:00Z" });
  });

  it("succeeded with exit code, termination message and timings", () => {
    expect(podOutcome(pod({ phase: "Succeeded", ...terminated(0, { message: "accuracy=0.93\n" }) }), opts)).toEqual({
      kind: "succeeded",
      exitCode: 0,
      message: "accuracy=0.93",
      startedAt: "2026-01-01T00:01:00Z",
      finishedAt: "2026-01-01T00:03:30Z",
    });
    expect(durationSeconds("2026-01-01T00:01:00Z", "2026-01-01T00:03:30Z")).toBe(150);
  });

  it("failed with the exit code and reason", () => {
    expect(podOutcome(pod({ phase: "Failed", ...terminated(1, { reason: "Error", message: "boom" }) }), opts)).toMatchObject({
      kind: "failed",
      exitCode: 1,
      reason: "Error",
      message: "exit code 1: boom",
    });
    expect(podOutcome(pod({ phase: "Failed", ...terminated(137, { reason: "OOMKilled" }) }), opts)).toMatchObject({
      kind: "failed",
      exitCode: 137,
      message: "exit code 137: OOMKilled",
    });
  });

  it("timed_out when the deadline killed it", () => {
    expect(podOutcome(pod({ phase: "Failed", reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline" }), opts)).toMatchObject({
      kind: "timed_out",
      reason: "DeadlineExceeded",
    });
  });

  it("eviction and node loss fail the job with the reason", () => {
    expect(podOutcome(pod({ phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory." }), opts)).toMatchObject({
      kind: "failed",
      reason: "Evicted",
      message: "evicted: The node was low on resource: memory.",
    });
    const gc = pod({ phase: "Failed", conditions: [{ type: "DisruptionTarget", status: "True", reason: "DeletionByPodGC", message: "PodGC: node no longer exists" }] });
    expect(podOutcome(gc, opts)).toMatchObject({ kind: "failed", message: "evicted: DeletionByPodGC: PodGC: node no longer exists" });
    const deleting = pod({ phase: "Running" }, { nodeName: "n" }, { deletionTimestamp: "2026-01-01T00:09:00Z" });
    expect(podOutcome(deleting, opts)).toMatchObject({ kind: "failed", reason: "Deleted" });
  });

  it("fails at once on an invalid image, after the pending timeout when stuck", () => {
    const invalid = pod({ phase: "Pending", containerStatuses: [{ name: "job", state: { waiting: { reason: "InvalidImageName", message: "bad" } } }] }, { nodeName: "n" });
    expect(podOutcome(invalid, opts)).toMatchObject({ kind: "failed", reason: "InvalidImageName" });
    const backoff = (start: string) =>
      pod({ phase: "Pending", startTime: start, containerStatuses: [{ name: "job", state: { waiting: { reason: "ImagePullBackOff" } } }] }, { nodeName: "n" });
    expect(podOutcome(backoff("2026-01-01T00:08:00Z"), opts)).toMatchObject({ kind: "pending", reason: "ImagePullBackOff" });
    expect(podOutcome(backoff("2026-01-01T00:04:00Z"), opts)).toMatchObject({ kind: "failed", reason: "ImagePullBackOff" });
    const unsched = (t: string) =>
      pod({ phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes", lastTransitionTime: t }] });
    expect(podOutcome(unsched("2026-01-01T00:09:00Z"), opts)).toMatchObject({ kind: "pending", reason: "Unschedulable" });
    expect(podOutcome(unsched("2026-01-01T00:00:00Z"), opts)).toMatchObject({ kind: "failed", reason: "Unschedulable", message: "Unschedulable for 600s: 0/3 nodes" });
  });
});
