// The NeoEngine client as the plugin uses it: a short-lived client per command.

import { NeoEngineClient } from "../../neoengine/index.js";
import type { Credentials } from "./credentials.js";

/** Accepts the network's root URL too (http://host:8787) and adds the API's /v1 prefix. */
export function apiBaseUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === "/" || parsed.pathname === "") parsed.pathname = "/v1";
  return parsed.toString().replace(/\/+$/, "");
}

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
