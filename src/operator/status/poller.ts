import { isNeoEngineError, type Budget, type Job, type ListJobsOptions, type ListJobsResponse } from "../../neoengine/index.js";
import { DEFAULT_MIN_INTERVAL_MS, DEFAULT_PAGE_SIZE, planPollInterval, type Plan } from "./planner.js";

// One status poller per credential. Instead of one GET per NeoJob per tick, it pages through
// GET /jobs?status=pending,scheduled,running&limit=100 and compares what it tracks; only a job
// that has left the active list (it ended) costs one GET /jobs/{id}. Changes enqueue the
// NeoJob's key; the reconciler reads the state from this cache (observed()), so tracking a job
// costs no request of its own. The interval comes from the planner (rate budget, job count).

export const ACTIVE_STATUSES = ["pending", "scheduled", "running"] as const;
const TERMINAL = new Set<string>(["succeeded", "failed", "cancelled", "timed_out"]);

export interface PollClient {
  listJobs(query: ListJobsOptions): Promise<ListJobsResponse>;
  getJob(jobId: string): Promise<Job>;
  budget(): Budget | undefined;
}

export interface PollerLogger {
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface StatusPollerOptions {
  client: PollClient;
  /** Non-secret credential name, for logs. */
  credential: string;
  /** Called with the NeoJob key when its remote job changed. */
  onChange: (key: string, job: Job) => void;
  now?: () => number;
  pageSize?: number;
  minIntervalMs?: number;
  /** How long an untracked job's last state stays readable (a reconcile may still need it). */
  retainMs?: number;
  log?: PollerLogger;
}

interface Tracked {
  key: string;
  since: number;
}

/** Only what the reconciler reads: a cache of thousands of jobs need not hold images and envs. */
function slim(job: Job): Job {
  const out: Job = { id: job.id, status: job.status };
  for (const key of ["provider", "progress", "createdAt", "startedAt", "finishedAt", "cost", "exitCode", "message", "timeout", "attempts"] as const) {
    if (job[key] !== undefined) (out as Record<string, unknown>)[key] = job[key];
  }
  return out;
}

const noopLog: PollerLogger = { warn() {}, debug() {} };

function sameState(a: Job | undefined, b: Job): boolean {
  return (
    !!a &&
    a.status === b.status &&
    a.progress === b.progress &&
    a.provider === b.provider &&
    a.cost === b.cost &&
    a.startedAt === b.startedAt &&
    a.finishedAt === b.finishedAt
  );
}

export class StatusPoller {
  private readonly tracked = new Map<string, Tracked>();
  private readonly cache = new Map<string, Job>();
  private readonly dropAt = new Map<string, number>();
  private readonly now: () => number;
  private readonly log: PollerLogger;
  private wakeUp: (() => void) | undefined;
  private consecutiveErrors = 0;
  /** Requests sent by this poller (lists + per-job GETs), for tests and the benchmark. */
  requests = 0;

  constructor(private readonly opts: StatusPollerOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? noopLog;
  }

  get size(): number {
    return this.tracked.size;
  }

  track(jobId: string, key: string): void {
    const existing = this.tracked.get(jobId);
    if (existing) {
      existing.key = key;
      return;
    }
    this.tracked.set(jobId, { key, since: this.now() });
    this.dropAt.delete(jobId);
    this.wakeUp?.();
  }

  untrack(jobId: string): void {
    if (!this.tracked.delete(jobId)) return;
    this.dropAt.set(jobId, this.now() + (this.opts.retainMs ?? 10 * 60_000));
  }

  observed(jobId: string): Job | undefined {
    return this.cache.get(jobId);
  }

  /** Merges a state learnt elsewhere (submit/cancel answers) without triggering onChange. */
  remember(job: Job): void {
    this.cache.set(job.id, { ...this.cache.get(job.id), ...slim(job) });
  }

  plan(): Plan {
    return planPollInterval({
      budget: this.opts.client.budget(),
      activeJobs: this.tracked.size,
      now: this.now(),
      pageSize: this.opts.pageSize ?? DEFAULT_PAGE_SIZE,
      minIntervalMs: this.opts.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS,
    });
  }

  /** One cycle: list the active jobs page by page, then GET only the tracked jobs that left the list. */
  async pollOnce(): Promise<void> {
    if (this.tracked.size === 0) return this.expire();
    const started = this.now();
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      this.requests++;
      const page = await this.opts.client.listJobs({ status: [...ACTIVE_STATUSES], limit: this.opts.pageSize ?? DEFAULT_PAGE_SIZE, cursor });
      for (const job of page.jobs) {
        if (!this.tracked.has(job.id)) continue;
        seen.add(job.id);
        this.observe(job);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    for (const [jobId, t] of [...this.tracked]) {
      if (seen.has(jobId) || t.since >= started) continue;
      // Already seen ended (the reconcile that untracks it may still be queued): final, no GET.
      const known = this.cache.get(jobId);
      if (known && TERMINAL.has(known.status)) continue;
      this.requests++;
      try {
        this.observe(await this.opts.client.getJob(jobId));
      } catch (err) {
        if (!isNeoEngineError(err) || err.code !== "NOT_FOUND") throw err;
        this.log.warn({ credential: this.opts.credential, jobId }, "tracked job no longer exists on the network");
        this.observe({ id: jobId, status: "failed", message: "the job no longer exists on the network" });
      }
    }
    this.expire();
  }

  private observe(full: Job): void {
    const job = slim(full);
    const previous = this.cache.get(job.id);
    const merged = { ...previous, ...job };
    this.cache.set(job.id, merged);
    const tracked = this.tracked.get(job.id);
    if (tracked && !sameState(previous, merged)) this.opts.onChange(tracked.key, merged);
  }

  private expire(): void {
    const now = this.now();
    for (const [jobId, at] of this.dropAt) {
      if (at > now) continue;
      this.dropAt.delete(jobId);
      if (!this.tracked.has(jobId)) this.cache.delete(jobId);
    }
  }

  /** Delay before the next cycle after one that succeeded or failed. */
  nextDelayMs(error?: unknown): number {
    const min = this.opts.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
    if (error === undefined) {
      this.consecutiveErrors = 0;
      return this.plan().intervalMs;
    }
    // Outage or 429: back off (never faster than planned, never sooner than Retry-After).
    this.consecutiveErrors++;
    const backoff = Math.min(60_000, min * 2 ** this.consecutiveErrors);
    const retryAfter = isNeoEngineError(error) ? (error.retryAfterMs ?? 0) : 0;
    return Math.max(backoff, retryAfter, this.plan().intervalMs);
  }

  /** Runs cycles until the signal aborts; sleeps while nothing is tracked. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (this.tracked.size === 0) {
        await this.idle(signal);
        await delay(this.opts.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS, signal);
        continue;
      }
      let wait: number;
      try {
        await this.pollOnce();
        wait = this.nextDelayMs();
      } catch (err) {
        wait = this.nextDelayMs(err);
        this.log.warn(
          { credential: this.opts.credential, err: isNeoEngineError(err) ? { code: err.code, message: err.message } : String(err), retryInMs: wait },
          "status poll failed",
        );
      }
      await delay(wait, signal);
    }
  }

  private idle(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.wakeUp = undefined;
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.wakeUp = done;
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    timer.unref?.();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
