import type { ObjectRef } from "../client/resource.js";

/** The shape every Kubernetes object shares; the rest is left to the caller's zod parser. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export function refOf(obj: KubeObject): ObjectRef {
  return obj.metadata.namespace ? { namespace: obj.metadata.namespace, name: obj.metadata.name } : { name: obj.metadata.name };
}

export interface EventHandlers<T extends KubeObject = KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** The last state the cache knew (after a relist it may be older than the real final state). */
  onDelete?(obj: T): void;
}
