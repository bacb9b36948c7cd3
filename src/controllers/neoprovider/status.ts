import type { Condition, NeoProviderNodeStatus, NeoProviderStatus } from "../../api/index.js";

// NeoProvider status from the node agents: per-node rows, totals for the printer columns, and
// the Ready / Synced conditions (a condition keeps its lastTransitionTime while its status holds).

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function setCondition(
  previous: Condition[] | undefined,
  next: Omit<Condition, "lastTransitionTime">,
  nowMs: number,
): Condition[] {
  const list = [...(previous ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? list[i] : undefined;
  const cond: Condition = { ...next, lastTransitionTime: old && old.status === next.status ? old.lastTransitionTime : rfc3339(nowMs) };
  if (i >= 0) list[i] = cond;
  else list.push(cond);
  return list;
}

export function totals(nodes: NeoProviderNodeStatus[]): Pick<NeoProviderStatus, "nodeCount" | "gpus" | "freeGpus" | "runningJobs"> {
  return {
    nodeCount: nodes.length,
    gpus: nodes.reduce((a, n) => a + n.gpus, 0),
    freeGpus: nodes.reduce((a, n) => a + (n.state === "Online" ? n.freeGpus : 0), 0),
    runningJobs: nodes.reduce((a, n) => a + n.runningJobs, 0),
  };
}

/** Stable JSON (sorted keys, undefined dropped) for "did anything change". */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** Status equality ignoring lastTransitionTime formatting differences of unchanged conditions. */
export function sameStatus(a: NeoProviderStatus | undefined, b: NeoProviderStatus): boolean {
  return canonical(a ?? {}) === canonical(b);
}
