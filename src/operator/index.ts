// Public API of the operator: start it in-process (demo, tests, benchmark) or through the CLI.
export { startOperator, type RunningOperator } from "./manager.js";
export type { OperatorOptions } from "./options.js";
export { SessionRegistry } from "./credentials/sessions.js";
export { apiBaseUrl } from "../neoengine/index.js";
export { fileToken, parseSecretRef, secretToken, staticToken, type SecretRef, type TokenSource } from "./credentials/token-sources.js";
export { planPollInterval, type Plan, type PlanInput } from "./status/planner.js";
export { StatusPoller, type PollClient } from "./status/poller.js";
