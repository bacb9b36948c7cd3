// The NeoEngine client as the plugin uses it: a short-lived client per command.

import { apiBaseUrl, NeoEngineClient } from "../../neoengine/index.js";
import type { Credentials } from "./credentials.js";


export function neoEngineClient(creds: Credentials): NeoEngineClient {
  return new NeoEngineClient({
    baseUrl: apiBaseUrl(creds.url),
    token: creds.token,
    userAgent: "kubectl-neo/0.1",
    // One person's command sends a handful of requests: refuse rather than sit silently waiting
    // for a rate window to reset; the error says why.
    rateLimiter: { mode: "refuse" },
    retry: { maxAttempts: 3 },
  });
}
