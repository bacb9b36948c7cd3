// Validating response bodies against the wire schemas. Unknown fields are tolerated (the
// schemas are non-strict and strip them); a missing or mistyped field is INVALID_RESPONSE.

import type { z } from "zod";
import { CLIENT_ERROR_CODES, NeoEngineError } from "./errors.js";
import type { EndpointSpec } from "./endpoints.js";

export function parseResponse<S extends z.ZodType>(schema: S, value: unknown, endpoint: EndpointSpec): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : "body";
  return invalid(endpoint, `${where}: ${issue?.message ?? "does not match the schema"}`, {
    issues: result.error.issues.slice(0, 5).map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
  });
}

function invalid(endpoint: EndpointSpec, reason: string, details: Record<string, unknown>): never {
  throw new NeoEngineError({
    status: 200,
    code: CLIENT_ERROR_CODES.INVALID_RESPONSE,
    message: `unexpected response from ${endpoint.method} ${endpoint.path}: ${reason}`,
    details,
    retryable: false,
    method: endpoint.method,
    endpoint: endpoint.path,
  });
}
