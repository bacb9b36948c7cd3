// One error type for everything that can go wrong when talking to a NeoEngine network,
// so callers (the NeoJob controller's error policy, the kubectl plugin) branch on `code`
// and `retryable` instead of on transport details.
//
// Messages are built only from the server's error envelope and from our own text: never from
// request headers, so the bearer token cannot end up in an error message or its JSON.

import { ERROR_CODES } from "./wire.js";

/** Codes the network sends in its error envelope (design.md): the wire contract's list. */
export const SERVER_ERROR_CODES = ERROR_CODES;

/** Codes the client produces itself when no usable error envelope exists. */
export const CLIENT_ERROR_CODES = {
  /** Connection refused/reset/closed, DNS failure, TLS failure: no (complete) HTTP response. */
  NETWORK_ERROR: "NETWORK_ERROR",
  /** Connect, headers or body timeout. */
  TIMEOUT: "TIMEOUT",
  /** The caller's AbortSignal fired. */
  ABORTED: "ABORTED",
  /** The server answered 2xx with a body that does not match the wire schema. */
  INVALID_RESPONSE: "INVALID_RESPONSE",
  /** The client-side rate limiter refused to send (the budget is spent; nothing was sent). */
  CLIENT_RATE_LIMITED: "CLIENT_RATE_LIMITED",
  /** The client was closed. */
  CLIENT_CLOSED: "CLIENT_CLOSED",
} as const;

export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[number];
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[keyof typeof CLIENT_ERROR_CODES];
/** Known codes, but any string the server sends is kept as-is. */
export type NeoEngineErrorCode = ServerErrorCode | ClientErrorCode | (string & {});

const CODE_BY_STATUS: Record<number, ServerErrorCode> = {
  400: "INVALID_PARAMETERS",
  401: "UNAUTHORIZED",
  402: "INSUFFICIENT_FUNDS",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  429: "RATE_LIMITED",
  500: "INTERNAL_ERROR",
};

export interface NeoEngineErrorInit {
  /** HTTP status; 0 when there was no HTTP response (network error, timeout, abort). */
  status: number;
  code: NeoEngineErrorCode;
  message: string;
  details?: Record<string, unknown> | undefined;
  retryable: boolean;
  /** How long the server (or the limiter) asked us to wait before trying again. */
  retryAfterMs?: number | undefined;
  method?: string | undefined;
  /** Endpoint template such as `/jobs/{id}` (never the raw id). */
  endpoint?: string | undefined;
  /** Number of HTTP attempts made before giving up (1 = no retry). */
  attempts?: number | undefined;
}

export class NeoEngineError extends Error {
  override readonly name = "NeoEngineError";
  readonly status: number;
  readonly code: NeoEngineErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly method: string | undefined;
  readonly endpoint: string | undefined;
  attempts: number;

  constructor(init: NeoEngineErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
    this.method = init.method;
    this.endpoint = init.endpoint;
    this.attempts = init.attempts ?? 1;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      status: this.status,
      code: this.code,
      message: this.message,
      details: this.details,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      method: this.method,
      endpoint: this.endpoint,
      attempts: this.attempts,
    };
  }
}

export function isNeoEngineError(value: unknown): value is NeoEngineError {
  return value instanceof NeoEngineError;
}

/** 429 and server-side failures are worth another try; 501/505 mean "never going to work". */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

export function defaultCodeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? "INTERNAL_ERROR" : `HTTP_${status}`);
}

interface Envelope {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

function parseEnvelope(bodyText: string): Envelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const error = (parsed as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message, details } = error as Record<string, unknown>;
  if (typeof code !== "string" || typeof message !== "string") return undefined;
  const envelope: Envelope = { code, message };
  if (typeof details === "object" && details !== null && !Array.isArray(details)) {
    envelope.details = details as Record<string, unknown>;
  }
  return envelope;
}

const MAX_SNIPPET = 200;

export const REDACTED = "[REDACTED]";

function redactAll(text: string, secrets: string[] | undefined): string {
  let out = text;
  for (const secret of secrets ?? []) {
    if (secret.length === 0) continue;
    // Also the JSON-escaped spelling, in case the secret contains `"` or `\`.
    for (const form of [secret, JSON.stringify(secret).slice(1, -1)]) out = out.split(form).join(REDACTED);
  }
  return out;
}

/** Builds the error for a non-2xx response from its status and body (seed error envelope). */
export function errorFromResponse(args: {
  status: number;
  bodyText: string;
  method: string;
  endpoint: string;
  retryAfterMs?: number | undefined;
  /** Secrets to blank out should the peer echo them (a misbehaving proxy echoing headers). */
  redact?: string[] | undefined;
}): NeoEngineError {
  const bodyText = redactAll(args.bodyText, args.redact);
  const envelope = parseEnvelope(bodyText);
  const fallbackMessage =
    `HTTP ${args.status} from ${args.method} ${args.endpoint}` +
    (bodyText.trim() ? `: ${bodyText.trim().slice(0, MAX_SNIPPET)}` : "");
  return new NeoEngineError({
    status: args.status,
    code: envelope?.code ?? defaultCodeForStatus(args.status),
    message: envelope?.message ?? fallbackMessage,
    details: envelope?.details,
    retryable: isRetryableStatus(args.status),
    retryAfterMs: args.retryAfterMs,
    method: args.method,
    endpoint: args.endpoint,
  });
}

/** undici error codes for failures that happen before the request could reach the server. */
const NOT_SENT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
]);

const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

function causeCode(error: unknown): string | undefined {
  // undici wraps some socket errors; the more specific errno may sit on `cause`.
  let generic: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") {
      if (code !== "UND_ERR_SOCKET") return code;
      generic = code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return generic;
}

/**
 * True when a transport failure certainly happened before the server could have seen the request
 * (so even a non-idempotent request may be sent again).
 */
export function failedBeforeSending(error: NeoEngineError): boolean {
  return error.details?.["requestSent"] === false;
}

/** Maps a thrown transport error (undici, socket, abort) to a NeoEngineError. */
export function errorFromTransport(
  error: unknown,
  args: { method: string; endpoint: string; aborted: boolean },
): NeoEngineError {
  if (error instanceof NeoEngineError) return error;
  if (args.aborted) {
    return new NeoEngineError({
      status: 0,
      code: CLIENT_ERROR_CODES.ABORTED,
      message: `${args.method} ${args.endpoint} was aborted`,
      retryable: false,
      method: args.method,
      endpoint: args.endpoint,
    });
  }
  const code = causeCode(error) ?? "UNKNOWN";
  const timeout = TIMEOUT_CODES.has(code);
  const requestSent = !NOT_SENT_CODES.has(code);
  const reason = error instanceof Error ? error.message : String(error);
  return new NeoEngineError({
    status: 0,
    code: timeout ? CLIENT_ERROR_CODES.TIMEOUT : CLIENT_ERROR_CODES.NETWORK_ERROR,
    message: `${args.method} ${args.endpoint} failed: ${reason} (${code})`,
    details: { cause: code, requestSent },
    retryable: true,
    method: args.method,
    endpoint: args.endpoint,
  });
}
