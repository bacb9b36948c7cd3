import type { Budget } from "../../neoengine/index.js";

// How often one credential's status poller may run, from what is left of the tier's minute and
// day budgets (as the client-side limiter sees them) and how many jobs it tracks.
//
// One poll cycle costs ceil(active / pageSize) list requests (GET /jobs?status=pending,
// scheduled,running&limit=pageSize). The planner gives polling a share of each window and keeps
// the rest for submits, cancels and the one GET per job when it leaves the active list:
//   minute: cycles/minute ≤ minuteShare × perMinute / cost
//   day:    cycles/day ≤ dayShare × perDay / cost (the steady rate), and never faster than what
//           is left today (remaining − reserve) spread over the time until the day resets
// so a steady state never reaches a limit, and a busy day (many submits) slows polling down
// instead of running into 429s.

export interface PlanInput {
  budget: Budget | undefined;
  /** Jobs the poller tracks. */
  activeJobs: number;
  now: number;
  /** Page size of GET /jobs (the API's maximum is 100). */
  pageSize?: number;
  /** Never poll more often than this (also the interval when the budget is unknown). */
  minIntervalMs?: number;
  /**
   * At least this much time per list page of a cycle (default 200 ms): thousands of jobs are
   * polled less often than a few, even when the budget would allow more, to bound the CPU and
   * memory a cycle costs on both sides.
   */
  minPageIntervalMs?: number;
  /** Fraction of the minute limit polling may use. Default 0.5. */
  minuteShare?: number;
  /** Fraction of the day limit polling may use. Default 0.8. */
  dayShare?: number;
  /** Requests kept back per active job for its end (final GET, results, cancel). Default 2. */
  reservePerJob?: number;
}

export interface Plan {
  intervalMs: number;
  /** Requests one cycle costs. */
  requestsPerCycle: number;
  /** Which constraint set the interval. */
  limitedBy: "min-interval" | "minute" | "day" | "day-exhausted" | "idle";
}

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;
export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_MIN_INTERVAL_MS = 2_000;

export function planPollInterval(input: PlanInput): Plan {
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  const minInterval = input.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
  if (input.activeJobs <= 0) return { intervalMs: minInterval, requestsPerCycle: 0, limitedBy: "idle" };
  const cost = Math.ceil(input.activeJobs / pageSize);
  let intervalMs = Math.max(minInterval, cost * (input.minPageIntervalMs ?? 200));
  let limitedBy: Plan["limitedBy"] = "min-interval";

  const minute = input.budget?.minute;
  if (minute?.limit) {
    const perCycle = (cost * MINUTE_MS) / (minute.limit * (input.minuteShare ?? 0.5));
    if (perCycle > intervalMs) [intervalMs, limitedBy] = [perCycle, "minute"];
  }

  const day = input.budget?.day;
  if (day?.limit && day.remaining !== null) {
    const resetIn = day.resetAt !== null ? Math.max(0, day.resetAt - input.now) : DAY_MS;
    const left = (day.remaining - input.activeJobs * (input.reservePerJob ?? 2)) * 0.9;
    if (left < cost) {
      // Nothing left for polling today: wait for the reset (the reserve still serves the jobs' ends).
      return { intervalMs: Math.max(minInterval, resetIn + 1_000), requestsPerCycle: cost, limitedBy: "day-exhausted" };
    }
    const steady = (cost * DAY_MS) / (day.limit * (input.dayShare ?? 0.8));
    const perCycle = Math.max(steady, (cost * resetIn) / left);
    if (perCycle > intervalMs) [intervalMs, limitedBy] = [perCycle, "day"];
  }
  return { intervalMs: Math.ceil(intervalMs), requestsPerCycle: cost, limitedBy };
}
