import type { ResourceType } from "../../kube/index.js";

// Resource types of the job namespace's guard rails (src/kube's Resources lists only what the
// NeoJob side needs; these are used only here).
export const JobNamespaceResources = {
  serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true },
  networkPolicy: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", plural: "networkpolicies", namespaced: true },
  resourceQuota: { apiVersion: "v1", kind: "ResourceQuota", plural: "resourcequotas", namespaced: true },
  limitRange: { apiVersion: "v1", kind: "LimitRange", plural: "limitranges", namespaced: true },
} as const satisfies Record<string, ResourceType>;
