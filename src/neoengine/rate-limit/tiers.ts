// The seed's rate-limit table (wire.ts TIER_LIMITS). Enterprise limits are custom: pass them
// explicitly, or let the limiter learn them from the server's X-RateLimit-* headers.

import type { Tier } from "../wire.js";
import { TIER_LIMITS as SEED_TIER_LIMITS } from "../wire.js";

export type { Tier };

export interface RateLimits {
  /** Requests per minute; undefined = unknown (not enforced client-side until learned). */
  perMinute?: number | undefined;
  /** Requests per day; undefined = unknown (not enforced client-side until learned). */
  perDay?: number | undefined;
}

export const TIER_LIMITS: Record<Tier, RateLimits> = {
  free: { ...SEED_TIER_LIMITS.free },
  pro: { ...SEED_TIER_LIMITS.pro },
  enterprise: {},
};

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
