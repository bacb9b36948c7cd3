// Every endpoint the client calls: method, path template (what metrics see — never raw ids)
// and whether a request may be repeated. See retry/policy.ts for what "unsafe" means.
//
// Why each write is classified the way it is:
// - submitJob: "unsafe" without an Idempotency-Key (a repeat could create a second job),
//   "idempotent" with one (the network returns the same job for the same key and body).
// - cancelJob: cancelling twice leaves the job cancelled. A retry whose first attempt did land
//   answers 409 CONFLICT (the job is already finished); callers GET the job to confirm.
// - withdraw: "unsafe" — money moves; a repeat could withdraw twice. Never retried once sent.
// - registerProvider: the network upserts by provider name, so a repeat returns the same provider.
// - heartbeat, postJobEvent, putJobResults: assert state (free capacity, status/progress, final
//   results); repeating one asserts the same state again.
// - appendJobLogs: "unsafe" — a repeat would duplicate the log lines.
// - deregisterProvider: DELETE; a repeat after success may answer 404.

import type { HttpMethod } from "./transport/http.js";
import type { RetrySafety } from "./retry/policy.js";

export interface EndpointSpec {
  method: HttpMethod;
  path: string;
  safety: RetrySafety;
}

export const ENDPOINTS = {
  submitJob: { method: "POST", path: "/jobs", safety: "unsafe" },
  getJob: { method: "GET", path: "/jobs/{id}", safety: "idempotent" },
  listJobs: { method: "GET", path: "/jobs", safety: "idempotent" },
  getJobLogs: { method: "GET", path: "/jobs/{id}/logs", safety: "idempotent" },
  getJobResults: { method: "GET", path: "/jobs/{id}/results", safety: "idempotent" },
  cancelJob: { method: "POST", path: "/jobs/{id}/cancel", safety: "idempotent" },
  listProviders: { method: "GET", path: "/providers", safety: "idempotent" },
  getProvider: { method: "GET", path: "/providers/{id}", safety: "idempotent" },
  getMarketPrices: { method: "GET", path: "/market/prices", safety: "idempotent" },
  getMarketStats: { method: "GET", path: "/market/stats", safety: "idempotent" },
  getBalance: { method: "GET", path: "/wallet/balance", safety: "idempotent" },
  getEarnings: { method: "GET", path: "/wallet/earnings", safety: "idempotent" },
  withdraw: { method: "POST", path: "/wallet/withdraw", safety: "unsafe" },
  registerProvider: { method: "POST", path: "/providers", safety: "idempotent" },
  heartbeat: { method: "POST", path: "/providers/{id}/heartbeat", safety: "idempotent" },
  getAssignments: { method: "GET", path: "/providers/{id}/assignments", safety: "idempotent" },
  postJobEvent: { method: "POST", path: "/jobs/{id}/events", safety: "idempotent" },
  appendJobLogs: { method: "POST", path: "/jobs/{id}/logs", safety: "unsafe" },
  putJobResults: { method: "PUT", path: "/jobs/{id}/results", safety: "idempotent" },
  deregisterProvider: { method: "DELETE", path: "/providers/{id}", safety: "idempotent" },
} as const satisfies Record<string, EndpointSpec>;

export type EndpointName = keyof typeof ENDPOINTS;
