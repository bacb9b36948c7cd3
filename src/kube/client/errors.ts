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

/** client-node's ApiException, recognised by shape so that this module does not load client-node. */
function isApiException(err: unknown): err is { code: number; body: unknown; message: string } {
  const e = err as { code?: unknown; headers?: unknown } | null;
  return err instanceof Error && typeof e?.code === "number" && "body" in err && typeof e.headers === "object";
}

/** An apiserver answer with an error status (code >= 300) as a KubeApiError; the body is a Status or text. */
export function kubeApiErrorOf(code: number, body: string, what: string): KubeApiError {
  let status: StatusBody | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) status = parsed as StatusBody;
  } catch {
    // Not JSON (a proxy's HTML page, plain text): keep the text as the body.
  }
  const msg = status?.message || body.trim().slice(0, 300) || `HTTP ${code}`;
  return new KubeApiError(code, status?.reason, `${what}: ${msg}`, status ?? body);
}

/** Normalises client-node's ApiException (and watch errors with statusCode) into KubeApiError. */
export function toKubeApiError(err: unknown, what?: string): unknown {
  if (err instanceof KubeApiError) return err;
  if (isApiException(err)) {
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
  if (isApiException(err)) return err.code;
  const code = (err as { statusCode?: unknown; code?: unknown } | null)?.statusCode;
  return typeof code === "number" ? code : undefined;
}

export const isNotFound = (err: unknown): boolean => statusCodeOf(err) === 404;
export const isConflict = (err: unknown): boolean => statusCodeOf(err) === 409 && (err as KubeApiError).reason !== "AlreadyExists";
export const isAlreadyExists = (err: unknown): boolean =>
  statusCodeOf(err) === 409 && (err instanceof KubeApiError ? err.reason === "AlreadyExists" : true);
export const isGone = (err: unknown): boolean => statusCodeOf(err) === 410;
export const isInvalid = (err: unknown): boolean => statusCodeOf(err) === 422;
