// Public surface of the CRD API package: schemas, types, parse functions, well-known keys, CRDs.
export * from "./group.js";
export * from "./common.js";
export * from "./neojob.js";
export * from "./neoprovider.js";
export * from "./parse.js";
export { allCrds, neoJobCrd, neoProviderCrd, type CustomResourceDefinition, type PrinterColumn } from "./crd.js";
export { admissionPolicies, FINALIZER_POLICY_NAME, LABEL_FINALIZER_POLICY, neoJobFinalizerPolicy, neoJobFinalizerPolicyBinding, type AdmissionPolicyObject } from "./admission.js";
