// The client against a scripted HTTP peer on loopback: retries, Retry-After, idempotency rules,
// error mapping, timeouts, limiter integration, streaming. Time is fake: no test really sleeps.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NeoEngineError } from "../../../src/neoengine/index.js";
import { testClient, TEST_TOKEN } from "./helpers/client.js";
import type { ScriptedServer } from "./helpers/scripted-server.js";
import { closedPort, startScriptedServer } from "./helpers/scripted-server.js";

const JOB = { id: "job_abc123", status: "running", provider: "prov_xyz789", startedAt: "2026-01-15T12:01:00Z", progress: 45 };
const SUBMIT = { image: "python:3.11-slim", command: ["python", "-c", "print('Hello')"], resources: { cpu: 2, memory: "4Gi", gpu: 0 }, maxPrice: "1.0", timeout: "1h" };
const SUBMITTED = { id: "job_abc123", status: "pending", createdAt: "2026-01-15T12:00:00Z" };

async function caught(p: Promise<unknown>): Promise<NeoEngineError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NeoEngineError);
    return e as NeoEngineError;
  }
  throw new Error("expected a NeoEngineError");
}

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

describe("requests", () => {
  it("sends the bearer token, JSON accept, and parses the seed's job shape (unknown fields tolerated)", async () => {
    const { client, events } = testClient(server.url);
    server.script({ status: 200, body: { ...JOB, someFutureField: { x: 1 } } });
    const job = await client.getJob("job_abc123");
    expect(job).toEqual(JOB);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: "GET", url: "/v1/jobs/job_abc123" });
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TEST_TOKEN}`);
    expect(server.requests[0]?.headers.accept).toBe("application/json");
    expect(events).toEqual([{ endpoint: "/jobs/{id}", method: "GET", status: 200, durationMs: 0, attempt: 1 }]);
    await client.close();
  });

  it("URL-encodes path parameters and builds queries", async () => {
    const { client } = testClient(server.url);
    server.script({ status: 200, body: { jobs: [], nextCursor: null } });
    await client.listJobs({ status: ["running", "pending"], limit: 20, cursor: "c/1" });
    server.script({ status: 200, body: JOB });
    await client.getJob("job/../x");
    expect(server.requests.map((r) => r.url)).toEqual([
      "/v1/jobs?status=running%2Cpending&limit=20&cursor=c%2F1",
      "/v1/jobs/job%2F..%2Fx",
    ]);
    await client.close();
  });

  it("iterateJobs follows nextCursor through every page", async () => {
    const { client } = testClient(server.url);
    server.script(
      { status: 200, body: { jobs: [{ ...JOB, id: "job_1" }, { ...JOB, id: "job_2" }], nextCursor: "p2" } },
      { status: 200, body: { jobs: [{ ...JOB, id: "job_3" }], nextCursor: "p3" } },
      { status: 200, body: { jobs: [], nextCursor: null } },
    );
    const ids: string[] = [];
    for await (const job of client.iterateJobs({ status: "running", limit: 2 })) ids.push(job.id);
    expect(ids).toEqual(["job_1", "job_2", "job_3"]);
    expect(server.requests.map((r) => r.url)).toEqual([
      "/v1/jobs?status=running&limit=2",
      "/v1/jobs?status=running&limit=2&cursor=p2",
      "/v1/jobs?status=running&limit=2&cursor=p3",
    ]);
    await client.close();
  });

  it("logs come back as text; appendJobLogs sends text/plain", async () => {
    const { client } = testClient(server.url);
    server.script({ status: 200, headers: { "content-type": "text/plain" }, body: "line 1\nline 2\n" });
    expect(await client.getJobLogs("job_1", { tail: 2 })).toBe("line 1\nline 2\n");
    server.script({ status: 200, body: { jobId: "job_1", bytes: 6 } });
    expect(await client.appendJobLogs("job_1", "hello\n")).toEqual({ jobId: "job_1", bytes: 6 });
    expect(server.requests[0]).toMatchObject({ url: "/v1/jobs/job_1/logs?tail=2" });
    expect(server.requests[0]?.headers.accept).toBe("text/plain");
    expect(server.requests[1]).toMatchObject({ method: "POST", url: "/v1/jobs/job_1/logs", body: "hello\n" });
    expect(server.requests[1]?.headers["content-type"]).toMatch(/^text\/plain/);
    await client.close();
  });

  it("followJobLogs yields lines across chunk boundaries until the server ends the stream", async () => {
    const { client } = testClient(server.url);
    server.script({ status: 200, chunks: ["first li", "ne\nsecond\r\nthi", "rd\nneo:progress=50\nlast without newline"] });
    const lines: string[] = [];
    for await (const line of client.followJobLogs("job_1", { tail: 5 })) lines.push(line);
    expect(lines).toEqual(["first line", "second", "third", "neo:progress=50", "last without newline"]);
    expect(server.requests[0]?.url).toBe("/v1/jobs/job_1/logs?tail=5&follow=true");
    await client.close();
  });

  it("breaking out of followJobLogs closes the stream (the server sees the connection go)", async () => {
    const { client } = testClient(server.url);
    server.script({ status: 200, chunks: ["one\n", "two\n"], after: "open" });
    const lines: string[] = [];
    for await (const line of client.followJobLogs("job_1")) {
      lines.push(line);
      if (line === "two") break;
    }
    expect(lines).toEqual(["one", "two"]);
    await expect.poll(() => server.openSockets()).toBe(0);
    await client.close();
  });

  it("a follow stream cut mid-way throws a NeoEngineError after the lines that arrived", async () => {
    const { client } = testClient(server.url);
    server.script({ status: 200, chunks: ["one\n", "tw"], after: "cut" });
    const lines: string[] = [];
    let error: unknown;
    try {
      for await (const line of client.followJobLogs("job_1")) lines.push(line);
    } catch (e) {
      error = e;
    }
    expect(lines).toEqual(["one"]);
    expect(error).toBeInstanceOf(NeoEngineError);
    expect(error).toMatchObject({ code: "NETWORK_ERROR", endpoint: "/jobs/{id}/logs" });
    expect(server.requests).toHaveLength(1); // not resumed
    await client.close();
  });

  it("getAssignments sends wait and since", async () => {
    const { client } = testClient(server.url);
    server.script({ status: 200, body: { version: 4, assignments: [] } });
    expect(await client.getAssignments("prov_1", { wait: 30, since: 3 })).toEqual({ version: 4, assignments: [] });
    expect(server.requests[0]?.url).toBe("/v1/providers/prov_1/assignments?wait=30&since=3");
    await client.close();
  });

  it("picks up a rotated token on the next attempt", async () => {
    let token = "neo_first_token";
    const { client } = testClient(server.url, { token: () => token });
    server.script({ status: 200, body: JOB });
    await client.getJob("job_1");
    token = "neo_second_token";
    await client.getJob("job_1");
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(["Bearer neo_first_token", "Bearer neo_second_token"]);
    await client.close();
  });

  it("a throwing onRequest hook never breaks a request", async () => {
    const { client } = testClient(server.url, {
      onRequest: () => {
        throw new Error("metrics broke");
      },
    });
    server.script({ status: 200, body: JOB });
    expect((await client.getJob("job_1")).id).toBe("job_abc123");
    await client.close();
  });
});

describe("error mapping", () => {
  it("maps the seed's error envelope to NeoEngineError", async () => {
    const { client } = testClient(server.url);
    server.script({
      status: 400,
      body: { error: { code: "INVALID_PARAMETERS", message: "cpu must be at least 1", details: { field: "resources.cpu", value: 0 } } },
    });
    const e = await caught(client.submitJob({ ...SUBMIT, resources: { ...SUBMIT.resources, cpu: 0 } }));
    expect(e).toMatchObject({
      status: 400,
      code: "INVALID_PARAMETERS",
      message: "cpu must be at least 1",
      details: { field: "resources.cpu", value: 0 },
      retryable: false,
      method: "POST",
      endpoint: "/jobs",
      attempts: 1,
    });
    await client.close();
  });

  it("a 2xx body that does not match the wire schema is INVALID_RESPONSE (not retried)", async () => {
    const { client } = testClient(server.url);
    server.script({ status: 200, body: { id: 42, status: "running" } });
    const e = await caught(client.getJob("job_1"));
    expect(e.code).toBe("INVALID_RESPONSE");
    expect(e.message).toContain("id");
    server.script({ status: 200, headers: { "content-type": "application/json" }, body: "{not json" });
    expect((await caught(client.getJob("job_1"))).code).toBe("INVALID_RESPONSE");
    expect(server.requests).toHaveLength(2);
    await client.close();
  });

  it("a closed client refuses calls", async () => {
    const { client } = testClient(server.url);
    await client.close();
    expect((await caught(client.getJob("job_1"))).code).toBe("CLIENT_CLOSED");
    expect(server.requests).toHaveLength(0);
  });

  it("an aborted call is ABORTED and not retried", async () => {
    const { client } = testClient(server.url);
    server.script({ hang: true });
    const controller = new AbortController();
    const pending = caught(client.getJob("job_1", { signal: controller.signal }));
    // abort once the server has the request (no timing: poll the recorded requests)
    await expect.poll(() => server.requests.length).toBe(1);
    controller.abort();
    const e = await pending;
    expect(e).toMatchObject({ code: "ABORTED", retryable: false });
    expect(server.requests).toHaveLength(1);
    await client.close();
  });
});

describe("retries", () => {
  it("retries 5xx with full-jitter exponential backoff, then succeeds", async () => {
    const { client, time, events } = testClient(server.url);
    server.script({ status: 503, body: "" }, { status: 502, body: "" }, { status: 200, body: JOB });
    expect((await client.getJob("job_1")).status).toBe("running");
    // random 0.5: 0.5·100·2^0 = 50, then 0.5·100·2^1 = 100
    expect(time.sleeps).toEqual([50, 100]);
    expect(events.map((e) => [e.status, e.attempt, e.errorCode])).toEqual([
      [503, 1, "INTERNAL_ERROR"],
      [502, 2, "INTERNAL_ERROR"],
      [200, 3, undefined],
    ]);
    await client.close();
  });

  it("stops after maxAttempts and reports how many were made", async () => {
    const { client } = testClient(server.url);
    server.script({ status: 500, body: { error: { code: "INTERNAL_ERROR", message: "db down" } } });
    const e = await caught(client.getJob("job_1"));
    expect(e).toMatchObject({ status: 500, code: "INTERNAL_ERROR", message: "db down", retryable: true, attempts: 3 });
    expect(server.requests).toHaveLength(3);
    await client.close();
  });

  it("honours Retry-After in seconds", async () => {
    const { client, time } = testClient(server.url, { rateLimiter: false });
    server.script(
      { status: 429, headers: { "retry-after": "3" }, body: { error: { code: "RATE_LIMITED", message: "slow down" } } },
      { status: 200, body: JOB },
    );
    await client.getJob("job_1");
    expect(time.sleeps).toEqual([3_000]);
    await client.close();
  });

  it("honours Retry-After as an HTTP date (against the injected clock)", async () => {
    const { client, time } = testClient(server.url, { rateLimiter: false });
    const at = new Date(time.now + 5_000).toUTCString();
    server.script({ status: 503, headers: { "retry-after": at }, body: "" }, { status: 200, body: JOB });
    await client.getJob("job_1");
    expect(time.sleeps).toEqual([5_000]);
    await client.close();
  });

  it("returns a 429 whose Retry-After exceeds maxRetryAfterMs to the caller instead of blocking", async () => {
    const { client, time } = testClient(server.url, { rateLimiter: false });
    server.script({ status: 429, headers: { "retry-after": "3600" }, body: { error: { code: "RATE_LIMITED", message: "day budget spent" } } });
    const e = await caught(client.getJob("job_1"));
    expect(e).toMatchObject({ code: "RATE_LIMITED", retryable: true, retryAfterMs: 3_600_000, attempts: 1 });
    expect(time.sleeps).toEqual([]);
    await client.close();
  });

  it("retries a dropped connection on an idempotent GET", async () => {
    const { client } = testClient(server.url);
    server.script({ drop: true }, { status: 200, body: JOB });
    expect((await client.getJob("job_1")).id).toBe("job_abc123");
    expect(server.requests).toHaveLength(2);
    await client.close();
  });

  it("maps a headers timeout to TIMEOUT and retries it for a GET", async () => {
    const { client } = testClient(server.url, { timeouts: { headersMs: 100 } });
    server.script({ hang: true });
    const e = await caught(client.getJob("job_1"));
    expect(e).toMatchObject({ status: 0, code: "TIMEOUT", retryable: true, attempts: 3 });
    expect(server.requests).toHaveLength(3);
    await client.close();
  });

  it("connection refused → NETWORK_ERROR after maxAttempts", async () => {
    const port = await closedPort();
    const { client, time } = testClient(`http://127.0.0.1:${port}/v1`);
    const e = await caught(client.getMarketPrices());
    expect(e).toMatchObject({ status: 0, code: "NETWORK_ERROR", retryable: true, attempts: 3, details: { requestSent: false } });
    expect(time.sleeps).toHaveLength(2);
    await client.close();
  });
});

describe("POST /jobs and other non-idempotent writes", () => {
  it("without an idempotency key, a 5xx is not retried (the job may exist)", async () => {
    const { client } = testClient(server.url);
    server.script({ status: 500, body: "" }, { status: 200, body: SUBMITTED });
    const e = await caught(client.submitJob(SUBMIT));
    expect(e).toMatchObject({ status: 500, retryable: true, attempts: 1 });
    expect(server.requests).toHaveLength(1);
    await client.close();
  });

  it("without an idempotency key, a dropped connection is not retried", async () => {
    const { client } = testClient(server.url);
    server.script({ drop: true }, { status: 201, body: SUBMITTED });
    const e = await caught(client.submitJob(SUBMIT));
    expect(e).toMatchObject({ code: "NETWORK_ERROR", details: { requestSent: true } });
    expect(server.requests).toHaveLength(1);
    await client.close();
  });

  it("without an idempotency key, a 429 is retried (the server did not act)", async () => {
    const { client } = testClient(server.url, { rateLimiter: false });
    server.script({ status: 429, headers: { "retry-after": "1" }, body: "" }, { status: 201, body: SUBMITTED });
    expect(await client.submitJob(SUBMIT)).toEqual(SUBMITTED);
    expect(server.requests).toHaveLength(2);
    await client.close();
  });

  it("without an idempotency key, connection refused is retried (nothing was sent)", async () => {
    const port = await closedPort();
    const { client } = testClient(`http://127.0.0.1:${port}/v1`);
    expect(await caught(client.submitJob(SUBMIT))).toMatchObject({ code: "NETWORK_ERROR", attempts: 3 });
    await client.close();
  });

  it("with an idempotency key, 5xx and dropped connections are retried with the same key and body", async () => {
    const { client } = testClient(server.url);
    server.script({ status: 503, body: "" }, { drop: true }, { status: 201, body: SUBMITTED });
    expect(await client.submitJob(SUBMIT, { idempotencyKey: "uid-123-attempt-1" })).toEqual(SUBMITTED);
    expect(server.requests).toHaveLength(3);
    for (const r of server.requests) {
      expect(r.headers["idempotency-key"]).toBe("uid-123-attempt-1");
      expect(JSON.parse(r.body)).toEqual(SUBMIT);
      expect(r.headers["content-type"]).toBe("application/json");
    }
    await client.close();
  });

  it("rejects an idempotency key that cannot be a header value, before sending", async () => {
    const { client } = testClient(server.url);
    await expect(client.submitJob(SUBMIT, { idempotencyKey: "bad\nkey" })).rejects.toThrow(/idempotencyKey/);
    expect(server.requests).toHaveLength(0);
    await client.close();
  });

  it("withdraw is never retried after a 5xx; appendJobLogs neither", async () => {
    const { client } = testClient(server.url);
    server.script({ status: 503, body: "" });
    expect((await caught(client.withdraw({ amount: "1.0" }))).attempts).toBe(1);
    expect((await caught(client.appendJobLogs("job_1", "x\n"))).attempts).toBe(1);
    expect(server.requests).toHaveLength(2);
    await client.close();
  });

  it("state-asserting writes (cancel, heartbeat, events, results) are retried", async () => {
    const { client } = testClient(server.url);
    server.script({ status: 503, body: "" }, { status: 200, body: JOB });
    await client.cancelJob("job_1");
    server.script({ status: 503, body: "" }, { status: 200, body: JOB });
    await client.postJobEvent("job_1", { progress: 50 });
    server.script(
      { status: 503, body: "" },
      { status: 200, body: { id: "prov_1", state: "online", heartbeatTimeoutSeconds: 30, serverTime: "2026-01-15T12:00:00Z" } },
    );
    await client.heartbeat("prov_1", { free: { cpu: 4, memory: "8Gi", gpu: 1 } });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /v1/jobs/job_1/cancel",
      "POST /v1/jobs/job_1/cancel",
      "POST /v1/jobs/job_1/events",
      "POST /v1/jobs/job_1/events",
      "POST /v1/providers/prov_1/heartbeat",
      "POST /v1/providers/prov_1/heartbeat",
    ]);
    await client.close();
  });
});

describe("client-side rate limiter in the request path", () => {
  const spent = {
    "x-ratelimit-limit": "60",
    "x-ratelimit-remaining": "0",
    "x-ratelimit-reset": "30",
    "x-ratelimit-day-limit": "1000",
    "x-ratelimit-day-remaining": "900",
    "x-ratelimit-day-reset": "40000",
  };

  it("learns the budget from response headers and exposes it", async () => {
    const { client, time } = testClient(server.url);
    server.script({ status: 200, headers: { ...spent, "x-ratelimit-remaining": "41" }, body: JOB });
    await client.getJob("job_1");
    expect(client.budget()).toEqual({
      minute: { limit: 60, remaining: 41, resetAt: time.now + 30_000 },
      day: { limit: 1000, remaining: 900, resetAt: time.now + 40_000_000 },
    });
    await client.close();
  });

  it("waits for the minute reset instead of sending a request the server would reject", async () => {
    const { client, time } = testClient(server.url);
    server.script({ status: 200, headers: spent, body: JOB });
    await client.getJob("job_1");
    await client.getJob("job_1");
    expect(time.sleeps).toEqual([30_000]);
    expect(server.requests).toHaveLength(2);
    await client.close();
  });

  it("refuse mode: CLIENT_RATE_LIMITED and nothing is sent", async () => {
    const { client } = testClient(server.url, { rateLimiter: { mode: "refuse" } });
    server.script({ status: 200, headers: spent, body: JOB });
    await client.getJob("job_1");
    const e = await caught(client.getJob("job_1"));
    expect(e).toMatchObject({ code: "CLIENT_RATE_LIMITED", status: 429, retryable: true, retryAfterMs: 30_000, endpoint: "/jobs/{id}" });
    expect(server.requests).toHaveLength(1);
    await client.close();
  });
});
