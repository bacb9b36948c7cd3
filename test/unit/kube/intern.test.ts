import { describe, expect, it } from "vitest";
import { StringInterner } from "../../../src/kube/informer/intern.js";

describe("StringInterner", () => {
  it("walks objects and arrays, keeps values equal, and counts each distinct short string once", () => {
    const interner = new StringInterner();
    const a = JSON.parse('{"apiVersion":"neoengine.dev/v1alpha1","spec":{"command":["python","-c"],"n":1},"status":{"conditions":[{"t":"2026-01-01T00:00:00Z"},{"t":"2026-01-01T00:00:00Z"}]}}');
    const b = JSON.parse('{"apiVersion":"neoengine.dev/v1alpha1","spec":{"command":["python","-c"],"n":2},"status":null}');
    const copyA = structuredClone(a);
    expect(interner.internDeep(a)).toEqual(copyA);
    interner.internDeep(b);
    // apiVersion, python, -c, the timestamp: four distinct strings for six + three occurrences.
    expect(interner.size).toBe(4);
  });

  it("leaves long strings alone and starts over when the table is full", () => {
    const interner = new StringInterner(3);
    interner.intern("x".repeat(200));
    expect(interner.size).toBe(0);
    for (const s of ["a", "b", "c"]) interner.intern(s);
    expect(interner.size).toBe(3);
    expect(interner.intern("d")).toBe("d");
    expect(interner.size).toBe(1);
  });
});
