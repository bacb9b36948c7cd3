import { API_VERSION, NEOJOB_KIND, NEOJOB_PLURAL, NEOPROVIDER_KIND, NEOPROVIDER_PLURAL } from "../../api/group.js";

// Which REST resource an object lives in, and how to build its URL. Built by hand so one code path
// serves core types (/api/v1/...) and custom resources (/apis/<group>/<version>/...).

export interface ResourceType {
  /** "v1" for the core group, "<group>/<version>" otherwise. */
  apiVersion: string;
  kind: string;
  /** Lower-case plural resource name, e.g. "neojobs", "pods", "leases". */
  plural: string;
  namespaced: boolean;
}

export interface ObjectRef {
  namespace?: string;
  name: string;
}

export function collectionPath(type: ResourceType, namespace?: string): string {
  const base = type.apiVersion.includes("/") ? `/apis/${type.apiVersion}` : `/api/${type.apiVersion}`;
  if (type.namespaced && namespace) return `${base}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`;
  return `${base}/${type.plural}`;
}

export function objectPath(type: ResourceType, ref: ObjectRef, subresource?: string): string {
  if (type.namespaced && !ref.namespace) throw new Error(`${type.kind} ${ref.name}: a namespace is required`);
  const path = `${collectionPath(type, ref.namespace)}/${encodeURIComponent(ref.name)}`;
  return subresource ? `${path}/${subresource}` : path;
}

/** Cache key of an object: "namespace/name", or "name" for cluster-scoped objects. */
export function keyOf(ref: ObjectRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

export function refOfKey(key: string): ObjectRef {
  const slash = key.indexOf("/");
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function refOfObject(obj: { metadata?: { namespace?: string; name?: string } }): ObjectRef {
  const name = obj.metadata?.name;
  if (!name) throw new Error("object has no metadata.name");
  return obj.metadata?.namespace ? { namespace: obj.metadata.namespace, name } : { name };
}

export const Resources = {
  neoJob: { apiVersion: API_VERSION, kind: NEOJOB_KIND, plural: NEOJOB_PLURAL, namespaced: true },
  neoProvider: { apiVersion: API_VERSION, kind: NEOPROVIDER_KIND, plural: NEOPROVIDER_PLURAL, namespaced: false },
  lease: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", plural: "leases", namespaced: true },
  event: { apiVersion: "events.k8s.io/v1", kind: "Event", plural: "events", namespaced: true },
  pod: { apiVersion: "v1", kind: "Pod", plural: "pods", namespaced: true },
  node: { apiVersion: "v1", kind: "Node", plural: "nodes", namespaced: false },
  secret: { apiVersion: "v1", kind: "Secret", plural: "secrets", namespaced: true },
  configMap: { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
  namespace: { apiVersion: "v1", kind: "Namespace", plural: "namespaces", namespaced: false },
  crd: { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions", namespaced: false },
  mutatingAdmissionPolicy: {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingAdmissionPolicy",
    plural: "mutatingadmissionpolicies",
    namespaced: false,
  },
  mutatingAdmissionPolicyBinding: {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingAdmissionPolicyBinding",
    plural: "mutatingadmissionpolicybindings",
    namespaced: false,
  },
} as const satisfies Record<string, ResourceType>;
