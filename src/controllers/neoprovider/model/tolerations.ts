import type { Taint, Toleration } from "./kube-types.js";

// Same matching rules as the scheduler's TaintToleration plugin (k8s.io/api/core/v1 helpers).

export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key === undefined || toleration.key === "") {
    // An empty key with Exists matches every taint.
    return toleration.operator === "Exists";
  }
  if (toleration.key !== taint.key) return false;
  switch (toleration.operator ?? "Equal") {
    case "Exists":
      return true;
    case "Equal":
      return (toleration.value ?? "") === (taint.value ?? "");
    default:
      return false;
  }
}

/** The first taint with a scheduling effect that none of the tolerations tolerates. */
export function untoleratedTaint(taints: Taint[] | undefined, tolerations: Toleration[]): Taint | undefined {
  return (taints ?? []).find(
    (t) => (t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerations.some((tol) => tolerates(tol, t)),
  );
}
