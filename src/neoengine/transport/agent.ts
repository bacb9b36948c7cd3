// The undici connection pool every request of a client goes through (keep-alive, timeouts).

import { Agent } from "undici";

export interface TimeoutOptions {
  /** TCP (+TLS) connect timeout. Default 10 s. */
  connectMs?: number;
  /** Time from sending the request to receiving the response headers. Default 30 s. */
  headersMs?: number;
  /** Longest idle gap between two body chunks. Default 30 s. */
  bodyMs?: number;
}

export interface AgentOptions {
  timeouts?: TimeoutOptions;
  /** How long an idle keep-alive socket is kept. Default 10 s (below fastify's 72 s, so we close first). */
  keepAliveTimeoutMs?: number;
  /** Most sockets per origin. Default 16. */
  connections?: number;
}

export const DEFAULT_TIMEOUTS: Required<TimeoutOptions> = {
  connectMs: 10_000,
  headersMs: 30_000,
  bodyMs: 30_000,
};

export function resolveTimeouts(timeouts: TimeoutOptions | undefined): Required<TimeoutOptions> {
  const resolved = { ...DEFAULT_TIMEOUTS };
  for (const key of Object.keys(DEFAULT_TIMEOUTS) as (keyof TimeoutOptions)[]) {
    const value = timeouts?.[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`timeouts.${key} must be a positive number of milliseconds, got ${value}`);
    }
    resolved[key] = value;
  }
  return resolved;
}

export function createAgent(options: AgentOptions = {}): Agent {
  const timeouts = resolveTimeouts(options.timeouts);
  return new Agent({
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
    connections: options.connections ?? 16,
  });
}
