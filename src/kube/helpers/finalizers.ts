import type { KubeClient } from "../client/kube-client.js";
import { isConflict, isNotFound } from "../client/errors.js";
import type { ObjectRef, ResourceType } from "../client/resource.js";
import type { KubeObject } from "../informer/types.js";

// Finalizers through a JSON merge patch that carries metadata.resourceVersion: the apiserver
// refuses it with 409 if the object changed since we read it, so we never drop someone else's
// finalizer by writing back a stale list. On conflict we re-read and retry.

const MAX_ATTEMPTS = 5;

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata.finalizers?.includes(finalizer) ?? false;
}

async function editFinalizers(
  client: KubeClient,
  type: ResourceType,
  ref: ObjectRef,
  edit: (current: string[]) => string[] | undefined,
  known?: KubeObject,
): Promise<KubeObject | undefined> {
  let obj = known;
  for (let attempt = 1; ; attempt++) {
    obj ??= await client.get<KubeObject>(type, ref);
    const current = obj.metadata.finalizers ?? [];
    const next = edit(current);
    if (!next) return obj; // nothing to do
    try {
      return await client.mergePatch<KubeObject>(type, ref, {
        metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers: next.length ? next : null },
      });
    } catch (err) {
      if (!isConflict(err) || attempt >= MAX_ATTEMPTS) throw err;
      obj = undefined; // stale: re-read
    }
  }
}

/** Adds `finalizer` unless present. Returns the object as stored afterwards. */
export function addFinalizer(client: KubeClient, type: ResourceType, ref: ObjectRef, finalizer: string, known?: KubeObject): Promise<KubeObject> {
  return editFinalizers(client, type, ref, (f) => (f.includes(finalizer) ? undefined : [...f, finalizer]), known) as Promise<KubeObject>;
}

/** Removes `finalizer` if present; a missing object counts as done (returns undefined). */
export async function removeFinalizer(
  client: KubeClient,
  type: ResourceType,
  ref: ObjectRef,
  finalizer: string,
  known?: KubeObject,
): Promise<KubeObject | undefined> {
  try {
    return await editFinalizers(client, type, ref, (f) => (f.includes(finalizer) ? f.filter((x) => x !== finalizer) : undefined), known);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
