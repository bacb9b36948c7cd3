import { describe, expect, it } from "vitest";
import { InvalidObjectError, memoryQuantity, parseNeoJob, parseNeoProvider, safeParseNeoJob } from "../../../src/api/index.js";

const base = {
  apiVersion: "neoengine.dev/v1alpha1",
  kind: "NeoJob",
  metadata: { name: "hello", namespace: "default", uid: "u1", resourceVersion: "7", generation: 1 },
  spec: { image: "python:3.11-slim", maxPrice: "1.0" },
};

describe("parseNeoJob", () => {
  it("applies defaults", () => {
    const job = parseNeoJob(base);
    expect(job.spec.resources).toEqual({ cpu: 1, memory: "1Gi", gpu: 0 });
    expect(job.spec.timeout).toBe("1h");
    expect(job.spec.deletionPolicy).toBe("Cancel");
    expect(job.spec.suspend).toBe(false);
  });

  it("coerces Date objects (typed list results) and strings (watch events) to the same RFC 3339 strings", () => {
    const fromList = parseNeoJob({
      ...base,
      metadata: { ...base.metadata, creationTimestamp: new Date("2026-01-15T12:00:00Z") },
      status: {
        startedAt: new Date("2026-01-15T12:01:00Z"),
        conditions: [{ type: "Running", status: "True", lastTransitionTime: new Date("2026-01-15T12:01:00Z") }],
      },
    });
    const fromWatch = parseNeoJob({
      ...base,
      metadata: { ...base.metadata, creationTimestamp: "2026-01-15T12:00:00Z" },
      status: {
        startedAt: "2026-01-15T12:01:00Z",
        conditions: [{ type: "Running", status: "True", lastTransitionTime: "2026-01-15T12:01:00Z" }],
      },
    });
    expect(fromList).toEqual(fromWatch);
    expect(fromList.metadata.creationTimestamp).toBe("2026-01-15T12:00:00Z");
    expect(fromList.status?.conditions?.[0]?.lastTransitionTime).toBe("2026-01-15T12:01:00Z");
  });

  it("keeps unknown fields and normalises memory", () => {
    const job = parseNeoJob({ ...base, extra: 1, spec: { ...base.spec, resources: { memory: 1073741824 } } });
    expect((job as Record<string, unknown>).extra).toBe(1);
    expect(memoryQuantity(job.spec.resources)).toBe("1073741824");
  });

  it.each([
    ["resources.cpu", { resources: { cpu: 0 } }],
    ["resources.memory", { resources: { memory: "lots" } }],
    ["resources.gpu", { resources: { gpu: -1 } }],
    ["maxPrice", { maxPrice: "-1" }],
    ["maxPrice", { maxPrice: "0.00" }],
    ["timeout", { timeout: "forever" }],
    ["image", { image: "" }],
  ])("rejects bad %s with the field in the message", (field, patch) => {
    const result = safeParseNeoJob({ ...base, spec: { ...base.spec, ...patch } });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBeInstanceOf(InvalidObjectError);
      expect(result.error.message).toContain(`spec.${field}`);
      expect(result.error.message).toContain("default/hello");
    }
  });
});

describe("parseNeoProvider", () => {
  it("applies defaults and parses status", () => {
    const p = parseNeoProvider({
      apiVersion: "neoengine.dev/v1alpha1",
      kind: "NeoProvider",
      metadata: { name: "gpus" },
      spec: { prices: { gpu: { "nvidia-a100": "0.75" } } },
      status: { nodes: [{ name: "n1", gpus: 8, freeGpus: 8, state: "Online" }] },
    });
    expect(p.spec.jobNamespace).toBe("neoengine-jobs");
    expect(p.spec.allowRootContainers).toBe(false);
    expect(p.spec.paused).toBe(false);
    expect(p.status?.nodes?.[0]?.runningJobs).toBe(0);
  });

  it("rejects a negative price", () => {
    expect(() =>
      parseNeoProvider({ apiVersion: "neoengine.dev/v1alpha1", kind: "NeoProvider", metadata: { name: "x" }, spec: { prices: { cpu: "-1" } } }),
    ).toThrow(/spec\.prices\.cpu/);
  });
});
