import { describe, expect, it } from "vitest";
import { formatMicroTime, parseMicroTime } from "../../../src/kube/leader/micro-time.js";
import { leaseSpecOf } from "../../../src/kube/leader/lease-store.js";

// Go's RFC3339Micro layout, which the apiserver uses for metav1.MicroTime.
const RFC3339_MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe("MicroTime", () => {
  it("formats with exactly six fractional digits", () => {
    expect(formatMicroTime(Date.UTC(2026, 0, 15, 12, 0, 0, 123))).toBe("2026-01-15T12:00:00.123000Z");
    expect(formatMicroTime(new Date("2026-01-15T12:00:00Z"))).toBe("2026-01-15T12:00:00.000000Z");
    expect(formatMicroTime(0)).toMatch(RFC3339_MICRO);
    // What a plain Date would send, and the apiserver refuses:
    expect(new Date(0).toISOString()).not.toMatch(RFC3339_MICRO);
  });

  it("round-trips and parses the forms the apiserver returns", () => {
    const t = Date.UTC(2026, 10, 28, 15, 9, 32, 987);
    expect(parseMicroTime(formatMicroTime(t))).toBe(t);
    expect(parseMicroTime("2026-11-28T15:09:32.987654Z")).toBe(t);
    expect(parseMicroTime("2026-11-28T15:09:32Z")).toBe(t - 987);
    expect(parseMicroTime("2026-11-28T16:09:32.987+01:00")).toBe(t);
    expect(parseMicroTime(new Date(t))).toBe(t);
  });

  it("rejects garbage", () => {
    expect(() => parseMicroTime("yesterday")).toThrow(RangeError);
    expect(() => formatMicroTime(new Date("nope"))).toThrow(RangeError);
  });

  it("lease specs carry microsecond times", () => {
    const spec = leaseSpecOf({ holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: 1, renewTime: 2, leaseTransitions: 0 });
    expect(spec.acquireTime).toMatch(RFC3339_MICRO);
    expect(spec.renewTime).toBe("1970-01-01T00:00:00.002000Z");
  });
});
