import { FINALIZER_CANCEL_JOB, GROUP, NEOJOB_PLURAL } from "./group.js";

// A MutatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA in Kubernetes 1.36) that adds the
// cancel finalizer to every NeoJob when it is created, inside the create request itself. Without
// it the operator's first write to each NeoJob is the finalizer; with it that write is never
// needed (the operator still adds the finalizer itself when the policy is absent, e.g. on older
// clusters). failurePolicy Ignore: a broken policy must never block creating NeoJobs.

export const FINALIZER_POLICY_NAME = `neojob-finalizer.${GROUP}`;

/** Namespaces labelled `neoengine.dev/finalizer-policy: disabled` are left out (the operator adds the finalizer there). */
export const LABEL_FINALIZER_POLICY = `${GROUP}/finalizer-policy`;

export interface AdmissionPolicyObject {
  apiVersion: "admissionregistration.k8s.io/v1";
  kind: "MutatingAdmissionPolicy" | "MutatingAdmissionPolicyBinding";
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

export function neoJobFinalizerPolicy(): AdmissionPolicyObject {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingAdmissionPolicy",
    metadata: { name: FINALIZER_POLICY_NAME },
    spec: {
      matchConstraints: {
        resourceRules: [{ apiGroups: [GROUP], apiVersions: ["*"], operations: ["CREATE"], resources: [NEOJOB_PLURAL] }],
      },
      failurePolicy: "Ignore",
      reinvocationPolicy: "Never",
      // An apply configuration merges into metadata.finalizers (a set), keeping the user's own.
      mutations: [
        {
          patchType: "ApplyConfiguration",
          applyConfiguration: { expression: `Object{metadata: Object.metadata{finalizers: ["${FINALIZER_CANCEL_JOB}"]}}` },
        },
      ],
    },
  };
}

export function neoJobFinalizerPolicyBinding(): AdmissionPolicyObject {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingAdmissionPolicyBinding",
    metadata: { name: FINALIZER_POLICY_NAME },
    spec: {
      policyName: FINALIZER_POLICY_NAME,
      matchResources: { namespaceSelector: { matchExpressions: [{ key: LABEL_FINALIZER_POLICY, operator: "NotIn", values: ["disabled"] }] } },
    },
  };
}

export function admissionPolicies(): AdmissionPolicyObject[] {
  return [neoJobFinalizerPolicy(), neoJobFinalizerPolicyBinding()];
}
