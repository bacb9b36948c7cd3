// The one place that sends HTTP to a NeoEngine network: token, rate limiter, retries,
// error mapping and the per-request hook live here; endpoint methods only describe requests.

import { inspect } from "node:util";
import type { Dispatcher } from "undici";
import { request } from "undici";
import { CLIENT_ERROR_CODES, errorFromResponse, errorFromTransport, NeoEngineError } from "../errors.js";
import type { RateLimiterOptions } from "../rate-limit/limiter.js";
import { RateLimiter } from "../rate-limit/limiter.js";
import type { RetryOptions, RetrySafety, ResolvedRetryOptions } from "../retry/policy.js";
import { decideRetry, parseRetryAfterMs, resolveRetryOptions } from "../retry/policy.js";
import type { Clock, Random, Sleep } from "../time.js";
import { realSleep, systemClock } from "../time.js";
import type { AgentOptions, TimeoutOptions } from "./agent.js";
import { createAgent, resolveTimeouts } from "./agent.js";
import type { QueryValue } from "./url.js";
import { buildUrl, normaliseBaseUrl } from "./url.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** What the onRequest hook sees for every HTTP attempt. Never contains the token or raw ids. */
export interface RequestEvent {
  /** Endpoint template, e.g. `/jobs/{id}`. */
  endpoint: string;
  method: HttpMethod;
  /** HTTP status, or 0 when no response arrived (network error, timeout, abort). */
  status: number;
  /** Time until the response headers (or the failure). */
  durationMs: number;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
  /** The NeoEngineError code when the attempt failed. */
  errorCode?: string;
}

/** A bearer token, or a function returning the current one (picked up on every attempt: rotation). */
export type TokenSource = string | (() => string | Promise<string>);

export interface TransportOptions extends AgentOptions {
  /** Base URL including the version prefix, e.g. `https://api.neoengine.dev/v1`. */
  baseUrl: string;
  token: TokenSource;
  /** Use this undici dispatcher instead of creating an Agent (it is not closed by close()). */
  dispatcher?: Dispatcher;
  retry?: RetryOptions;
  /**
   * The client-side rate limiter: an instance (share one between clients using the same token),
   * options for a new one, or `false` to send without client-side limiting.
   */
  rateLimiter?: RateLimiter | RateLimiterOptions | false;
  onRequest?: (event: RequestEvent) => void;
  userAgent?: string;
  clock?: Clock;
  sleep?: Sleep;
  random?: Random;
}

export interface RequestSpec {
  method: HttpMethod;
  /** Endpoint template relative to the base URL, e.g. `/jobs/{id}`. */
  endpoint: string;
  params?: Record<string, string>;
  query?: Record<string, QueryValue>;
  /** JSON body. */
  json?: unknown;
  /** text/plain body (used instead of `json`). */
  text?: string;
  headers?: Record<string, string>;
  safety: RetrySafety;
  signal?: AbortSignal | undefined;
  /** Overrides the headers timeout (long polls wait longer for headers). */
  headersTimeoutMs?: number;
  /** Overrides the body idle timeout; 0 disables it (log follow streams may stay quiet). */
  bodyTimeoutMs?: number;
  accept?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData["body"];
}

const HEADER_SAFE = /^[\x21-\x7e]+$/;

export class HttpTransport {
  readonly baseUrl: string;
  readonly rateLimiter: RateLimiter | undefined;
  // A private field: not enumerable, not in JSON, not shown by util.inspect.
  readonly #token: TokenSource;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #retry: ResolvedRetryOptions;
  readonly #timeouts: Required<TimeoutOptions>;
  readonly #onRequest: ((event: RequestEvent) => void) | undefined;
  readonly #userAgent: string;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  readonly #random: Random;
  #closed = false;

  constructor(options: TransportOptions) {
    this.baseUrl = normaliseBaseUrl(options.baseUrl);
    if (typeof options.token !== "function") validateToken(options.token);
    this.#token = options.token;
    this.#timeouts = resolveTimeouts(options.timeouts);
    this.#retry = resolveRetryOptions(options.retry);
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#onRequest = options.onRequest;
    this.#userAgent = options.userAgent ?? "neoengine-operator-client/0.1";
    if (options.rateLimiter instanceof RateLimiter) {
      this.rateLimiter = options.rateLimiter;
    } else if (options.rateLimiter === false) {
      this.rateLimiter = undefined;
    } else {
      this.rateLimiter = new RateLimiter({ clock: this.#clock, sleep: this.#sleep, ...options.rateLimiter });
    }
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? createAgent(options);
  }

  /** Sends the request (with limiter and retries) and returns the parsed JSON body (undefined if empty). */
  async json(spec: RequestSpec): Promise<unknown> {
    return this.send(spec, async (res, ctx) => {
      const text = await res.body.text();
      if (text.trim() === "") return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new NeoEngineError({
          status: res.status,
          code: CLIENT_ERROR_CODES.INVALID_RESPONSE,
          message: `${ctx.method} ${ctx.endpoint} answered ${res.status} with a body that is not JSON`,
          retryable: false,
          method: ctx.method,
          endpoint: ctx.endpoint,
        });
      }
    });
  }

  /** Like json() but returns the body as text. */
  async text(spec: RequestSpec): Promise<string> {
    return this.send(spec, (res) => res.body.text());
  }

  /**
   * Sends the request with limiter and retries up to the response headers, then hands over the
   * open body. A failure while reading it is not retried (the caller has consumed part of it).
   */
  async stream(spec: RequestSpec): Promise<RawResponse> {
    return this.send(spec, async (res) => res, true);
  }

  /** The configured headers timeout (long polls add their wait to it). */
  get headersTimeoutMs(): number {
    return this.#timeouts.headersMs;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  toString(): string {
    return `HttpTransport(${this.baseUrl})`;
  }

  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl };
  }

  [inspect.custom](): string {
    return this.toString();
  }

  private async send<T>(
    spec: RequestSpec,
    consume: (res: RawResponse, ctx: { method: HttpMethod; endpoint: string }) => Promise<T>,
    keepBodyOpen = false,
  ): Promise<T> {
    const url = buildUrl(this.baseUrl, spec.endpoint, spec.params, spec.query);
    const ctx = { method: spec.method, endpoint: spec.endpoint };
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) {
        throw new NeoEngineError({
          status: 0,
          code: CLIENT_ERROR_CODES.CLIENT_CLOSED,
          message: "the NeoEngine client is closed",
          retryable: false,
          ...ctx,
        });
      }
      let error: NeoEngineError;
      try {
        return await this.attempt(url, spec, attempt, consume, keepBodyOpen);
      } catch (caught) {
        if (caught instanceof NeoEngineError) error = caught;
        else if (spec.signal?.aborted) error = errorFromTransport(caught, { ...ctx, aborted: true });
        // Anything else came from outside the HTTP exchange (e.g. the token source): not ours to retry.
        else throw caught;
      }
      error.attempts = attempt;
      if (error.code === CLIENT_ERROR_CODES.CLIENT_RATE_LIMITED) throw withContext(error, ctx);
      const decision = decideRetry({
        error,
        failedAttempts: attempt,
        safety: spec.safety,
        options: this.#retry,
        random: this.#random,
      });
      if (!decision.retry) throw error;
      try {
        await this.#sleep(decision.delayMs, spec.signal);
      } catch (caught) {
        throw errorFromTransport(caught, { ...ctx, aborted: true });
      }
    }
  }

  private async attempt<T>(
    url: string,
    spec: RequestSpec,
    attempt: number,
    consume: (res: RawResponse, ctx: { method: HttpMethod; endpoint: string }) => Promise<T>,
    keepBodyOpen: boolean,
  ): Promise<T> {
    const ctx = { method: spec.method, endpoint: spec.endpoint };
    // The token first: a failing token source must not spend rate budget.
    const token = typeof this.#token === "function" ? await this.#token() : this.#token;
    validateToken(token);
    await this.rateLimiter?.acquire(spec.signal);
    const headers = this.headersFor(spec, token);
    const body = spec.text ?? (spec.json === undefined ? undefined : JSON.stringify(spec.json));
    const started = this.#clock.now();
    let status = 0;
    try {
      const res = await request(url, {
        dispatcher: this.#dispatcher,
        method: spec.method,
        headers,
        body,
        signal: spec.signal,
        headersTimeout: spec.headersTimeoutMs ?? this.#timeouts.headersMs,
        bodyTimeout: spec.bodyTimeoutMs ?? this.#timeouts.bodyMs,
      });
      status = res.statusCode;
      const now = this.#clock.now();
      const retryAfterMs = parseRetryAfterMs(firstHeader(res.headers["retry-after"]), now);
      this.rateLimiter?.observe(res.headers, status, retryAfterMs);
      const raw: RawResponse = { status, headers: res.headers, body: res.body };
      if (status >= 400) {
        const bodyText = await res.body.text().catch(() => "");
        throw errorFromResponse({ status, bodyText, retryAfterMs, redact: [token], ...ctx });
      }
      try {
        const value = await consume(raw, ctx);
        this.emit({ ...ctx, status, durationMs: now - started, attempt });
        return value;
      } finally {
        if (!keepBodyOpen) res.body.destroy();
      }
    } catch (caught) {
      const error = errorFromTransport(caught, { ...ctx, aborted: spec.signal?.aborted === true });
      this.emit({ ...ctx, status, durationMs: this.#clock.now() - started, attempt, errorCode: error.code });
      throw error;
    }
  }

  private headersFor(spec: RequestSpec, token: string): Record<string, string> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: spec.accept ?? "application/json",
      "user-agent": this.#userAgent,
      ...spec.headers,
    };
    if (spec.text !== undefined) headers["content-type"] = "text/plain; charset=utf-8";
    else if (spec.json !== undefined) headers["content-type"] = "application/json";
    return headers;
  }

  private emit(event: RequestEvent): void {
    if (!this.#onRequest) return;
    try {
      this.#onRequest(event);
    } catch {
      // A broken metrics hook must never break a request.
    }
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function withContext(error: NeoEngineError, ctx: { method: HttpMethod; endpoint: string }): NeoEngineError {
  if (error.endpoint) return error;
  return new NeoEngineError({ ...error.toJSON(), ...ctx } as ConstructorParameters<typeof NeoEngineError>[0]);
}

/** Rejects tokens that could not be sent as a header, without ever echoing the token. */
function validateToken(token: unknown): asserts token is string {
  if (typeof token !== "string" || token.length === 0) {
    throw new TypeError("token must be a non-empty string");
  }
  if (!HEADER_SAFE.test(token)) {
    throw new TypeError("token contains characters that are not allowed in an HTTP header (whitespace or control characters)");
  }
}
