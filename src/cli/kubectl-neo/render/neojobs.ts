// How a NeoJob looks in a table row and in a one-line status, for get, get -w and run.

import type { NeoJob, NeoJobPhase } from "../../../api/index.js";
import { age } from "./age.js";
import { progressBar } from "./progress-bar.js";
import { renderTable } from "./table.js";

export const TERMINAL_PHASES: readonly NeoJobPhase[] = ["Succeeded", "Failed", "Cancelled"];

export function isTerminal(job: NeoJob): boolean {
  return job.status?.phase !== undefined && TERMINAL_PHASES.includes(job.status.phase);
}

export function phaseOf(job: NeoJob): string {
  if (job.metadata.deletionTimestamp) return "Deleting";
  if (job.spec?.suspend && !isTerminal(job)) return "Suspended";
  return job.status?.phase ?? "Pending";
}

/** Progress to show: a finished job that reported nothing counts as 100% when it succeeded. */
export function progressOf(job: NeoJob): number | undefined {
  if (job.status?.progress !== undefined) return job.status.progress;
  return job.status?.phase === "Succeeded" ? 100 : undefined;
}

function dash(value: string | number | undefined | null): string {
  return value === undefined || value === null || value === "" ? "-" : String(value);
}

function gpuOf(job: NeoJob): string {
  const r = job.spec?.resources;
  if (!r || !r.gpu) return "-";
  return r.gpuModel ? `${r.gpu}x${r.gpuModel}` : String(r.gpu);
}

export interface NeoJobTableOptions {
  wide: boolean;
  showNamespace: boolean;
  now: number;
  headers?: boolean;
}

export function neoJobHeaders(opts: Pick<NeoJobTableOptions, "wide" | "showNamespace">): string[] {
  return [
    ...(opts.showNamespace ? ["NAMESPACE"] : []),
    "NAME",
    "PHASE",
    "PROGRESS",
    "PROVIDER",
    "COST",
    "AGE",
    ...(opts.wide ? ["JOB-ID", "IMAGE", "GPU", "MAX-PRICE", "MESSAGE"] : []),
  ];
}

/** Column widths for rows printed one at a time, so that successive lines line up. */
export function neoJobMinWidths(opts: Pick<NeoJobTableOptions, "wide" | "showNamespace">): number[] {
  return [...(opts.showNamespace ? [16] : []), 20, 9, 15, 14, 10, 6, ...(opts.wide ? [14, 20, 4, 9] : [])];
}

export function neoJobRow(job: NeoJob, opts: NeoJobTableOptions): string[] {
  return [
    ...(opts.showNamespace ? [dash(job.metadata.namespace)] : []),
    job.metadata.name,
    phaseOf(job),
    progressBar(progressOf(job)),
    dash(job.status?.provider),
    dash(job.status?.cost),
    age(job.metadata.creationTimestamp, opts.now),
    ...(opts.wide
      ? [dash(job.status?.jobId), dash(job.spec?.image), gpuOf(job), dash(job.spec?.maxPrice), dash(job.status?.message)]
      : []),
  ];
}

export function renderNeoJobTable(jobs: NeoJob[], opts: NeoJobTableOptions): string {
  const sorted = [...jobs].sort(
    (a, b) => (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") || a.metadata.name.localeCompare(b.metadata.name),
  );
  const table = renderTable(neoJobHeaders(opts), sorted.map((j) => neoJobRow(j, opts)));
  return opts.headers === false ? table.split("\n").slice(1).join("\n") : table;
}

/** One line that says where a job is, e.g. `neojob/hello  Running  [####------]  40%  prov_x  cost 0.01`. */
export function statusLine(job: NeoJob, now: number): string {
  const parts = [`neojob/${job.metadata.name}`, phaseOf(job).padEnd(9), progressBar(progressOf(job))];
  if (job.status?.provider) parts.push(`provider ${job.status.provider}`);
  if (job.status?.cost) parts.push(`cost ${job.status.cost}`);
  parts.push(age(job.metadata.creationTimestamp, now));
  return parts.join("  ");
}

/** A comparable fingerprint of what the user sees, to print plain lines only when something changed. */
export function visibleState(job: NeoJob): string {
  return JSON.stringify([phaseOf(job), progressOf(job), job.status?.provider, job.status?.cost, job.status?.jobId, job.status?.message]);
}
