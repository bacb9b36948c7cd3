import type { Informer, KubeObject } from "../../kube/index.js";
import { Store } from "../../kube/index.js";
import type { ContainerLike, PodLike } from "./model/kube-types.js";

// Pods grouped by the node they are bound to, kept up to date from an informer, so the free
// capacity of a node is computed from its own pods instead of scanning the whole cluster.

export class PodsByNode {
  private readonly byNode = new Map<string, Map<string, PodLike>>();
  private readonly nodeOf = new Map<string, string>();

  constructor(informer: Informer<KubeObject>) {
    const put = (obj: KubeObject) => this.put(obj as unknown as PodLike);
    informer.addEventHandler({ onAdd: put, onUpdate: (_o, n) => put(n), onDelete: (obj) => this.remove(Store.keyOf(obj)) });
  }

  pods(nodeName: string): PodLike[] {
    return [...(this.byNode.get(nodeName)?.values() ?? [])];
  }

  private put(pod: PodLike): void {
    const key = `${pod.metadata.namespace ?? ""}/${pod.metadata.name}`;
    const node = pod.spec?.nodeName;
    const previous = this.nodeOf.get(key);
    if (previous !== undefined && previous !== node) this.remove(key);
    if (!node) return;
    let pods = this.byNode.get(node);
    if (!pods) this.byNode.set(node, (pods = new Map()));
    pods.set(key, pod);
    this.nodeOf.set(key, node);
  }

  private remove(key: string): void {
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const pods = this.byNode.get(node);
    pods?.delete(key);
    if (pods?.size === 0) this.byNode.delete(node);
  }
}

/** Keeps only what capacity accounting needs of a Pod (memory: the informer caches every Pod). */
export function slimPod(obj: KubeObject): KubeObject {
  const pod = obj as unknown as PodLike & KubeObject;
  const resources = (cs: ContainerLike[] | undefined) =>
    cs?.map((c) => ({ name: c.name, resources: c.resources }));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      uid: pod.metadata.uid,
      resourceVersion: pod.metadata.resourceVersion,
    },
    spec: {
      nodeName: pod.spec?.nodeName,
      containers: resources(pod.spec?.containers),
      initContainers: resources(pod.spec?.initContainers),
      overhead: pod.spec?.overhead,
    },
    status: { phase: pod.status?.phase },
  } as KubeObject;
}
