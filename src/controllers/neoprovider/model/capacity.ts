import type { ContainerLike, PodLike } from "./kube-types.js";
import { cpuMillis, quantityUnits } from "./quantity.js";

// Free capacity of a node = allocatable − requests of the non-terminated pods bound to it,
// computed like the scheduler does (max of init containers vs. sum of app containers, plus overhead).

export interface Capacity {
  cpuMillis: number;
  memoryBytes: number;
  gpus: number;
}

export function isTerminated(pod: PodLike): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

function requestOf(c: ContainerLike, resource: string): string | undefined {
  // A container with only a limit gets request = limit (apiserver defaulting); be robust to either.
  return c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
}

function sumOf(containers: ContainerLike[] | undefined, resource: string, parse: (v: string | undefined) => number): number {
  return (containers ?? []).reduce((acc, c) => acc + parse(requestOf(c, resource)), 0);
}

function maxOf(containers: ContainerLike[] | undefined, resource: string, parse: (v: string | undefined) => number): number {
  return (containers ?? []).reduce((acc, c) => Math.max(acc, parse(requestOf(c, resource))), 0);
}

export function podRequests(pod: PodLike, gpuResource: string | undefined): Capacity {
  const spec = pod.spec ?? {};
  const of = (resource: string, parse: (v: string | undefined) => number) =>
    Math.max(sumOf(spec.containers, resource, parse), maxOf(spec.initContainers, resource, parse)) +
    parse(spec.overhead?.[resource]);
  return {
    cpuMillis: of("cpu", cpuMillis),
    memoryBytes: of("memory", quantityUnits),
    gpus: gpuResource ? of(gpuResource, quantityUnits) : 0,
  };
}

/** Allocatable minus the requests of every non-terminated pod on the node (never negative). */
export function freeCapacity(allocatable: Capacity, podsOnNode: PodLike[], gpuResource: string | undefined): Capacity {
  const free = { ...allocatable };
  for (const pod of podsOnNode) {
    if (isTerminated(pod)) continue;
    const r = podRequests(pod, gpuResource);
    free.cpuMillis -= r.cpuMillis;
    free.memoryBytes -= r.memoryBytes;
    free.gpus -= r.gpus;
  }
  return { cpuMillis: Math.max(0, free.cpuMillis), memoryBytes: Math.max(0, free.memoryBytes), gpus: Math.max(0, free.gpus) };
}
