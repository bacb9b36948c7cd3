import type { Logger } from "pino";
import type { SqlDatabase } from "../storage/sql.js";
import type { NetworkBus } from "./bus.js";

export interface RateLimits {
  perMinute: number;
  perDay: number;
}

export interface NetworkConfig {
  /** Platform fee taken from each charge, in basis points (100 = 1 %). Default 0. */
  feeBasisPoints: number;
  /** A provider without a heartbeat for this long goes offline. Default 30 s. */
  heartbeatTimeoutMs: number;
  /** A scheduled job its provider has not started within this long goes back to pending. Default 15 min; 0 = never. */
  startTimeoutMs: number;
  /** Default and maximum long-poll wait of GET /providers/{id}/assignments. */
  defaultAssignmentWaitSeconds: number;
  /** Limits of enterprise accounts that were created without their own. */
  enterpriseLimits: RateLimits;
  /** Limits of provider tokens (heartbeats and long polls are not the seed's consumer budget). */
  providerLimits: RateLimits;
  /** Largest request body, bytes. */
  bodyLimitBytes: number;
  /** Log bytes kept per job; older chunks are dropped beyond it. */
  maxLogBytesPerJob: number;
}

/** Everything the core services need; created once per network. */
export interface NetworkContext {
  db: SqlDatabase;
  now: () => number;
  bus: NetworkBus;
  config: NetworkConfig;
  log: Logger;
  /** Asks the scheduler to run soon (coalesced); a no-op when event-driven scheduling is off. */
  requestSchedule: () => void;
  /** When this server started: heartbeats missed while it was down are not the providers' fault. */
  startedAt: number;
}

export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString().replace(/\.\d{3}Z$/, "Z");
