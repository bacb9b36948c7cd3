// The typed NeoEngine client: one method per endpoint of the seed API and of the project's
// extensions (docs/api.md). Transport concerns (token, retries, rate limiting, errors) live in
// transport/http.ts; this file only says what each endpoint sends and how its answer is parsed.

import { inspect } from "node:util";
import type { EndpointName } from "./endpoints.js";
import { ENDPOINTS } from "./endpoints.js";
import { parseResponse } from "./parse.js";
import type { Budget } from "./rate-limit/limiter.js";
import type { RateLimiter } from "./rate-limit/limiter.js";
import { errorFromTransport } from "./errors.js";
import type { RequestSpec, TransportOptions } from "./transport/http.js";
import { HttpTransport } from "./transport/http.js";
import { splitLines } from "./transport/lines.js";
import type {
  AssignmentsResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  Job,
  JobEventRequest,
  JobResults,
  JobStatus,
  ListJobsResponse,
  ListProvidersResponse,
  LogsAppendResponse,
  MarketPrices,
  MarketStats,
  Provider,
  PutResultsRequest,
  RegisterProviderRequest,
  SubmitJobRequest,
  SubmitJobResponse,
  WalletBalance,
  WalletEarnings,
  WithdrawRequest,
  WithdrawResponse,
} from "./wire.js";
import {
  AssignmentsResponseSchema,
  HeartbeatResponseSchema,
  IDEMPOTENCY_KEY_HEADER,
  JobResultsSchema,
  JobSchema,
  ListJobsResponseSchema,
  ListProvidersResponseSchema,
  LogsAppendResponseSchema,
  MarketPricesSchema,
  MarketStatsSchema,
  ProviderSchema,
  SubmitJobResponseSchema,
  WalletBalanceSchema,
  WalletEarningsSchema,
  WithdrawResponseSchema,
} from "./wire.js";

export type NeoEngineClientOptions = TransportOptions;

/** Per-call options accepted by every method. */
export interface CallOptions {
  /** Aborts the call (including waits for the rate limiter and between retries). */
  signal?: AbortSignal;
}

export interface SubmitJobOptions extends CallOptions {
  /**
   * Sent as the Idempotency-Key header. With a key the submit is retried on 5xx, timeouts and
   * resets (the network returns the same job for the same key and body for 24 h); without one
   * it is retried only when the server certainly did not act (429, connection refused).
   */
  idempotencyKey?: string;
}

export interface ListJobsOptions {
  /** One status or several (sent comma-separated). */
  status?: JobStatus | JobStatus[];
  /** Page size, 1..100 (server default 20). */
  limit?: number;
  cursor?: string;
}

export interface ListProvidersOptions {
  /** Only providers with at least one GPU (true) or without (false). */
  gpu?: boolean;
  /** Only providers with reputation >= this (0..1000). */
  minReputation?: number;
  /** Only providers of this GPU model slug, e.g. "nvidia-a100". */
  gpuModel?: string;
  /** Only providers currently online (true) or offline (false). */
  online?: boolean;
  /** Page size, 1..100 (server default 20). */
  limit?: number;
  cursor?: string;
}

export interface LogsOptions {
  /** Only the last N lines. */
  tail?: number;
}

export interface AssignmentsOptions extends CallOptions {
  /** Long-poll: seconds (0..60) the server may hold the request open waiting for a change. */
  wait?: number;
  /** The `version` of the previous answer: return as soon as the assignment set differs from it. */
  since?: number;
}

export class NeoEngineClient {
  readonly #transport: HttpTransport;

  constructor(options: NeoEngineClientOptions) {
    this.#transport = new HttpTransport(options);
  }

  /** Base URL including /v1. */
  get baseUrl(): string {
    return this.#transport.baseUrl;
  }

  /** The client-side rate limiter (undefined when disabled). */
  get rateLimiter(): RateLimiter | undefined {
    return this.#transport.rateLimiter;
  }

  /** What remains of the minute and day budgets (undefined when the limiter is disabled). */
  budget(): Budget | undefined {
    return this.#transport.rateLimiter?.budget();
  }

  /** Closes the connection pool (if the client created it). Later calls fail with CLIENT_CLOSED. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  toString(): string {
    return `NeoEngineClient(${this.baseUrl})`;
  }

  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl };
  }

  [inspect.custom](): string {
    return this.toString();
  }

  // ---- Jobs (seed) ---------------------------------------------------------------------

  async submitJob(job: SubmitJobRequest, options: SubmitJobOptions = {}): Promise<SubmitJobResponse> {
    const key = options.idempotencyKey;
    if (key !== undefined && !/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new TypeError("idempotencyKey must be 1-255 visible ASCII characters");
    }
    return this.call("submitJob", SubmitJobResponseSchema, {
      json: job,
      signal: options.signal,
      ...(key !== undefined ? { headers: { [IDEMPOTENCY_KEY_HEADER]: key }, safety: "idempotent" } : {}),
    });
  }

  getJob(jobId: string, options: CallOptions = {}): Promise<Job> {
    return this.call("getJob", JobSchema, { params: { id: jobId }, signal: options.signal });
  }

  listJobs(query: ListJobsOptions = {}, options: CallOptions = {}): Promise<ListJobsResponse> {
    const status = Array.isArray(query.status) ? query.status.join(",") : query.status;
    return this.call("listJobs", ListJobsResponseSchema, {
      query: { status: status || undefined, limit: query.limit, cursor: query.cursor },
      signal: options.signal,
    });
  }

  /** Every job matching the filter, following `nextCursor` page by page (`limit` = page size). */
  async *iterateJobs(query: Omit<ListJobsOptions, "cursor"> = {}, options: CallOptions = {}): AsyncGenerator<Job> {
    let cursor: string | undefined;
    do {
      const page = await this.listJobs({ ...query, cursor }, options);
      yield* page.jobs;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** The job's log as text (`tail` = only the last N lines). */
  getJobLogs(jobId: string, logs: LogsOptions = {}, options: CallOptions = {}): Promise<string> {
    return this.#transport.text(
      this.spec("getJobLogs", { params: { id: jobId }, query: { tail: logs.tail }, signal: options.signal, accept: "text/plain" }),
    );
  }

  /**
   * Streams the job's log line by line (`?follow=true`) until the job ends and the server closes
   * the stream. Opening the stream is retried like any GET; a failure after lines have arrived
   * is thrown as a NeoEngineError (not retried: resuming could repeat or skip lines). Breaking
   * out of the loop closes the stream. No body idle timeout applies (a job may be quiet for long).
   */
  async *followJobLogs(jobId: string, logs: LogsOptions = {}, options: CallOptions = {}): AsyncGenerator<string> {
    const spec = this.spec("getJobLogs", {
      params: { id: jobId },
      query: { tail: logs.tail, follow: true },
      signal: options.signal,
      accept: "text/plain",
      bodyTimeoutMs: 0,
    });
    const res = await this.#transport.stream(spec);
    try {
      yield* splitLines(res.body);
    } catch (error) {
      throw errorFromTransport(error, { method: spec.method, endpoint: spec.endpoint, aborted: options.signal?.aborted === true });
    } finally {
      res.body.destroy();
    }
  }

  /** The finished job's results (409 CONFLICT while it is still running). */
  getJobResults(jobId: string, options: CallOptions = {}): Promise<JobResults> {
    return this.call("getJobResults", JobResultsSchema, { params: { id: jobId }, signal: options.signal });
  }

  /** Cancels the job; answers the job. 409 CONFLICT if it has already finished. */
  cancelJob(jobId: string, options: CallOptions = {}): Promise<Job> {
    return this.call("cancelJob", JobSchema, { params: { id: jobId }, signal: options.signal });
  }

  // ---- Providers (seed) ----------------------------------------------------------------

  listProviders(query: ListProvidersOptions = {}, options: CallOptions = {}): Promise<ListProvidersResponse> {
    return this.call("listProviders", ListProvidersResponseSchema, {
      query: {
        gpu: query.gpu,
        minReputation: query.minReputation,
        gpuModel: query.gpuModel,
        online: query.online,
        limit: query.limit,
        cursor: query.cursor,
      },
      signal: options.signal,
    });
  }

  /** Every provider matching the filter, following `nextCursor` page by page. */
  async *iterateProviders(
    query: Omit<ListProvidersOptions, "cursor"> = {},
    options: CallOptions = {},
  ): AsyncGenerator<Provider> {
    let cursor: string | undefined;
    do {
      const page = await this.listProviders({ ...query, cursor }, options);
      yield* page.providers;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  getProvider(providerId: string, options: CallOptions = {}): Promise<Provider> {
    return this.call("getProvider", ProviderSchema, { params: { id: providerId }, signal: options.signal });
  }

  // ---- Market (seed) -------------------------------------------------------------------

  getMarketPrices(options: CallOptions = {}): Promise<MarketPrices> {
    return this.call("getMarketPrices", MarketPricesSchema, { signal: options.signal });
  }

  getMarketStats(options: CallOptions = {}): Promise<MarketStats> {
    return this.call("getMarketStats", MarketStatsSchema, { signal: options.signal });
  }

  // ---- Wallet (seed) -------------------------------------------------------------------

  getBalance(options: CallOptions = {}): Promise<WalletBalance> {
    return this.call("getBalance", WalletBalanceSchema, { signal: options.signal });
  }

  getEarnings(options: CallOptions = {}): Promise<WalletEarnings> {
    return this.call("getEarnings", WalletEarningsSchema, { signal: options.signal });
  }

  /** Withdraws earnings. Never retried once it may have reached the server (money moves). */
  withdraw(request: WithdrawRequest, options: CallOptions = {}): Promise<WithdrawResponse> {
    return this.call("withdraw", WithdrawResponseSchema, { json: request, signal: options.signal });
  }

  // ---- Provider protocol (extension; provider-scoped tokens) ---------------------------

  /** Registers (or, for an existing name, updates) a provider. */
  registerProvider(request: RegisterProviderRequest, options: CallOptions = {}): Promise<Provider> {
    return this.call("registerProvider", ProviderSchema, { json: request, signal: options.signal });
  }

  heartbeat(providerId: string, request: HeartbeatRequest = {}, options: CallOptions = {}): Promise<HeartbeatResponse> {
    return this.call("heartbeat", HeartbeatResponseSchema, {
      params: { id: providerId },
      json: request,
      signal: options.signal,
    });
  }

  /** Long-polls the jobs the network wants this provider to run (see wire.ts AssignmentsQuerySchema). */
  getAssignments(providerId: string, options: AssignmentsOptions = {}): Promise<AssignmentsResponse> {
    const waitMs = (options.wait ?? 0) * 1000;
    return this.call("getAssignments", AssignmentsResponseSchema, {
      params: { id: providerId },
      query: { wait: options.wait, since: options.since },
      signal: options.signal,
      // The server may legitimately hold the request for `wait` seconds before answering.
      headersTimeoutMs: this.#transport.headersTimeoutMs + waitMs,
    });
  }

  /** Reports status / progress / message / exit code of a job assigned to this provider. */
  postJobEvent(jobId: string, event: JobEventRequest, options: CallOptions = {}): Promise<Job> {
    return this.call("postJobEvent", JobSchema, { params: { id: jobId }, json: event, signal: options.signal });
  }

  /** Appends text to the job's log. Not retried once it may have reached the server (lines would repeat). */
  appendJobLogs(jobId: string, data: string, options: CallOptions = {}): Promise<LogsAppendResponse> {
    return this.call("appendJobLogs", LogsAppendResponseSchema, {
      params: { id: jobId },
      text: data,
      signal: options.signal,
    });
  }

  putJobResults(jobId: string, results: PutResultsRequest, options: CallOptions = {}): Promise<JobResults> {
    return this.call("putJobResults", JobResultsSchema, { params: { id: jobId }, json: results, signal: options.signal });
  }

  deregisterProvider(providerId: string, options: CallOptions = {}): Promise<Provider> {
    return this.call("deregisterProvider", ProviderSchema, { params: { id: providerId }, signal: options.signal });
  }

  // ---- plumbing ------------------------------------------------------------------------

  private spec(name: EndpointName, extra: Partial<RequestSpec>): RequestSpec {
    const endpoint = ENDPOINTS[name];
    return { method: endpoint.method, endpoint: endpoint.path, safety: endpoint.safety, ...dropUndefined(extra) };
  }

  private async call<S extends Parameters<typeof parseResponse>[0]>(
    name: EndpointName,
    schema: S,
    extra: Partial<RequestSpec>,
  ): Promise<ReturnType<typeof parseResponse<S>>> {
    const body = await this.#transport.json(this.spec(name, extra));
    return parseResponse(schema, body, ENDPOINTS[name]);
  }
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
