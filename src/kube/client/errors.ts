import { ApiException } from "@kubernetes/client-node";

// One error type for every apiserver failure, carrying the HTTP code and the Status reason, so
// callers branch on isConflict()/isNotFound()/... instead of digging through client-node shapes.

export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string | undefined,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = "KubeApiError";
  }
}

interface StatusBody {
  message?: string;
  reason?: string;
  code?: number;
}

function statusBody(body: unknown): StatusBody {
  if (typeof body === "string") {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body };
    }
  }
  return (body ?? {}) as StatusBody;
}

/** Normalises client-node's ApiException (and watch errors with statusCode) into KubeApiError. */
export function toKubeApiError(err: unknown, what?: string): unknown {
  if (err instanceof KubeApiError) return err;
  if (err instanceof ApiException) {
    const body = statusBody(err.body);
    const msg = body.message ?? err.message;
    return new KubeApiError(err.code, body.reason, what ? `${what}: ${msg}` : msg, body);
  }
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === "number") {
    return new KubeApiError(statusCode, undefined, `${what ? `${what}: ` : ""}${(err as Error).message}`);
  }
  return err;
}

export function statusCodeOf(err: unknown): number | undefined {
  if (err instanceof KubeApiError) return err.code;
  if (err instanceof ApiException) return err.code;
  const code = (err as { statusCode?: unknown; code?: unknown } | null)?.statusCode;
  return typeof code === "number" ? code : undefined;
}

export const isNotFound = (err: unknown): boolean => statusCodeOf(err) === 404;
export const isConflict = (err: unknown): boolean => statusCodeOf(err) === 409 && (err as KubeApiError).reason !== "AlreadyExists";
export const isAlreadyExists = (err: unknown): boolean =>
  statusCodeOf(err) === 409 && (err instanceof KubeApiError ? err.reason === "AlreadyExists" : true);
export const isGone = (err: unknown): boolean => statusCodeOf(err) === 410;
export const isInvalid = (err: unknown): boolean => statusCodeOf(err) === 422;
