import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { KubeApiError, isAlreadyExists, isConflict, isGone, isNotFound, toKubeApiError } from "../../../src/kube/client/errors.js";
import { Resources, collectionPath, keyOf, objectPath, refOfKey } from "../../../src/kube/client/resource.js";

describe("resource paths", () => {
  it("builds core and group paths, namespaced and cluster-scoped", () => {
    expect(collectionPath(Resources.pod, "ns")).toBe("/api/v1/namespaces/ns/pods");
    expect(collectionPath(Resources.pod)).toBe("/api/v1/pods");
    expect(objectPath(Resources.neoJob, { namespace: "team-a", name: "hello" }, "status")).toBe(
      "/apis/neoengine.dev/v1alpha1/namespaces/team-a/neojobs/hello/status",
    );
    expect(objectPath(Resources.neoProvider, { name: "gpus" })).toBe("/apis/neoengine.dev/v1alpha1/neoproviders/gpus");
    expect(objectPath(Resources.lease, { namespace: "kube-system", name: "x" })).toBe("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x");
    expect(() => objectPath(Resources.neoJob, { name: "no-namespace" })).toThrow(/namespace is required/);
  });

  it("keys round-trip", () => {
    expect(keyOf({ namespace: "ns", name: "a" })).toBe("ns/a");
    expect(keyOf({ name: "a" })).toBe("a");
    expect(refOfKey("ns/a")).toEqual({ namespace: "ns", name: "a" });
    expect(refOfKey("a")).toEqual({ name: "a" });
  });
});

describe("errors", () => {
  it("normalises client-node ApiException with a Status body", () => {
    const conflict = toKubeApiError(new ApiException(409, "x", { reason: "Conflict", message: "the object has been modified" }, {}), "PATCH /x");
    expect(conflict).toBeInstanceOf(KubeApiError);
    expect((conflict as KubeApiError).message).toBe("PATCH /x: the object has been modified");
    expect(isConflict(conflict)).toBe(true);
    expect(isAlreadyExists(conflict)).toBe(false);
    const exists = toKubeApiError(new ApiException(409, "x", JSON.stringify({ reason: "AlreadyExists", message: "exists" }), {}));
    expect(isAlreadyExists(exists)).toBe(true);
    expect(isConflict(exists)).toBe(false);
    expect(isNotFound(new KubeApiError(404, "NotFound", "gone"))).toBe(true);
    expect(isGone({ statusCode: 410 })).toBe(true);
    expect(isNotFound(new Error("plain"))).toBe(false);
  });
});
