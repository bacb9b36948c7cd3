import { keyOf } from "../client/resource.js";
import type { KubeObject } from "./types.js";

// The informer's local cache, keyed "namespace/name" (or "name" for cluster-scoped objects).
// Readers get the cached objects themselves: treat them as read-only.

export class Store<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();

  static keyOf(obj: KubeObject): string {
    return keyOf({ namespace: obj.metadata.namespace, name: obj.metadata.name });
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** @internal informer only */
  set(key: string, obj: T): void {
    this.items.set(key, obj);
  }

  /** @internal informer only */
  delete(key: string): void {
    this.items.delete(key);
  }

  /** @internal informer only */
  replaceAll(entries: Map<string, T>): void {
    this.items.clear();
    for (const [k, v] of entries) this.items.set(k, v);
  }
}
