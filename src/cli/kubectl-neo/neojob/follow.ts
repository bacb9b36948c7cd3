// Following NeoJobs as they change: list once, then watch; the caller renders each new state.

import type { NeoJob } from "../../../api/index.js";
import type { NeoJobs } from "../kube/neojobs.js";
import { isTerminal } from "../render/neojobs.js";

export interface FollowOptions {
  namespace: string | undefined;
  /** One NeoJob by name, or every NeoJob of the namespace(s). */
  name?: string;
  signal: AbortSignal;
  /** Stop once the named job has finished (run, get <name> -w). */
  untilFinished?: boolean;
}

/**
 * Calls `onChange` with the current set of NeoJobs (keyed namespace/name) first and after every
 * change, until the signal aborts or (untilFinished) the named job has finished. Returns the
 * last state of the named job, if any.
 */
export async function followNeoJobs(
  neoJobs: NeoJobs,
  opts: FollowOptions,
  onChange: (jobs: Map<string, NeoJob>, changed: NeoJob | undefined, deleted: boolean) => void,
): Promise<NeoJob | undefined> {
  const jobs = new Map<string, NeoJob>();
  const key = (j: NeoJob) => `${j.metadata.namespace ?? ""}/${j.metadata.name}`;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal.addEventListener("abort", onAbort, { once: true });
  let last: NeoJob | undefined;
  const finishedCheck = (job: NeoJob | undefined) => {
    if (opts.untilFinished && job && opts.name === job.metadata.name && isTerminal(job)) stop.abort();
  };
  try {
    const initial = await neoJobs.list(opts.namespace);
    for (const j of initial.items) if (!opts.name || j.metadata.name === opts.name) jobs.set(key(j), j);
    last = opts.name ? [...jobs.values()][0] : undefined;
    onChange(jobs, last, false);
    finishedCheck(last);
    if (stop.signal.aborted) return last;
    await neoJobs.watch(
      { namespace: opts.namespace, name: opts.name, resourceVersion: initial.resourceVersion, signal: stop.signal },
      (type, job) => {
        if (type === "DELETED") jobs.delete(key(job));
        else jobs.set(key(job), job);
        if (opts.name) last = type === "DELETED" ? undefined : job;
        onChange(jobs, job, type === "DELETED");
        finishedCheck(job);
        if (type === "DELETED" && opts.untilFinished && opts.name === job.metadata.name) stop.abort();
      },
      (items) => {
        jobs.clear();
        for (const j of items) jobs.set(key(j), j);
        if (opts.name) last = items[0];
        onChange(jobs, undefined, false);
        finishedCheck(last);
      },
    );
    return last;
  } finally {
    opts.signal.removeEventListener("abort", onAbort);
  }
}
