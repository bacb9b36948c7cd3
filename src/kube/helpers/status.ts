import type { KubeClient } from "../client/kube-client.js";
import { isConflict } from "../client/errors.js";
import type { ObjectRef, ResourceType } from "../client/resource.js";
import type { KubeObject } from "../informer/types.js";

// Status writes through the /status subresource as a JSON merge patch with an explicit
// Content-Type (client-node would otherwise send JSON Patch). Merge-patch rules: null deletes a
// field (e.g. status.pendingSubmit after the job id is recorded), lists such as conditions are
// replaced wholesale, so send the full list.

export interface PatchStatusOptions {
  /** Only apply if the object is still at this resourceVersion (409 Conflict otherwise). */
  resourceVersion?: string;
}

export function patchStatus<T = KubeObject>(
  client: KubeClient,
  type: ResourceType,
  ref: ObjectRef,
  status: Record<string, unknown>,
  opts: PatchStatusOptions = {},
): Promise<T> {
  const patch: Record<string, unknown> = { status };
  if (opts.resourceVersion) patch.metadata = { resourceVersion: opts.resourceVersion };
  return client.mergePatch<T>(type, ref, patch, "status");
}

/**
 * Conflict-safe read-modify-write of status: reads the object, asks `compute` for a status patch
 * (undefined = nothing to write), and patches with the resourceVersion it read; on 409 it re-reads
 * and recomputes. Returns the stored object, or undefined when nothing was written.
 */
export async function updateStatus<T extends KubeObject = KubeObject>(
  client: KubeClient,
  type: ResourceType,
  ref: ObjectRef,
  compute: (current: T) => Record<string, unknown> | undefined,
  opts: { maxAttempts?: number; known?: T } = {},
): Promise<T | undefined> {
  const maxAttempts = opts.maxAttempts ?? 5;
  let current = opts.known;
  for (let attempt = 1; ; attempt++) {
    current ??= await client.get<T>(type, ref);
    const patch = compute(current);
    if (!patch) return undefined;
    try {
      return await patchStatus<T>(client, type, ref, patch, { resourceVersion: current.metadata.resourceVersion });
    } catch (err) {
      if (!isConflict(err) || attempt >= maxAttempts) throw err;
      current = undefined;
    }
  }
}
