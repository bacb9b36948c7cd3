// Public API of the NeoEngine client. Import from "src/neoengine/index.js".

export { NeoEngineClient } from "./client.js";
export type {
  AssignmentsOptions,
  CallOptions,
  ListJobsOptions,
  ListProvidersOptions,
  LogsOptions,
  NeoEngineClientOptions,
  SubmitJobOptions,
} from "./client.js";
export {
  CLIENT_ERROR_CODES,
  isNeoEngineError,
  isRetryableStatus,
  NeoEngineError,
  SERVER_ERROR_CODES,
} from "./errors.js";
export type { ClientErrorCode, NeoEngineErrorCode, ServerErrorCode } from "./errors.js";
export { ENDPOINTS } from "./endpoints.js";
export type { EndpointName, EndpointSpec } from "./endpoints.js";
export { RateLimiter } from "./rate-limit/limiter.js";
export type { Budget, RateLimiterOptions, WindowBudget } from "./rate-limit/limiter.js";
export { TIER_LIMITS } from "./rate-limit/tiers.js";
export type { RateLimits, Tier } from "./rate-limit/tiers.js";
export { backoffDelayMs, DEFAULT_RETRY_OPTIONS, parseRetryAfterMs } from "./retry/policy.js";
export type { RetryOptions, RetrySafety } from "./retry/policy.js";
export type { Clock, Random, Sleep } from "./time.js";
export { createAgent, DEFAULT_TIMEOUTS } from "./transport/agent.js";
export type { AgentOptions, TimeoutOptions } from "./transport/agent.js";
export type { HttpMethod, RequestEvent, TokenSource, TransportOptions } from "./transport/http.js";
export { splitLines } from "./transport/lines.js";
export * from "./wire.js";
export { apiBaseUrl } from "./base-url.js";
