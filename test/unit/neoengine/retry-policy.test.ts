import { describe, expect, it } from "vitest";
import { NeoEngineError } from "../../../src/neoengine/errors.js";
import {
  backoffDelayMs,
  decideRetry,
  DEFAULT_RETRY_OPTIONS,
  parseRetryAfterMs,
  resolveRetryOptions,
} from "../../../src/neoengine/retry/policy.js";

const opts = resolveRetryOptions({ maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 30_000 });

function err(status: number, extra: Partial<ConstructorParameters<typeof NeoEngineError>[0]> = {}) {
  return new NeoEngineError({
    status,
    code: "X",
    message: "x",
    retryable: status === 0 || status === 429 || status >= 500,
    ...extra,
  });
}

describe("backoffDelayMs (full jitter)", () => {
  it("draws uniformly below base·2^(n-1)", () => {
    expect(backoffDelayMs(1, opts, () => 0)).toBe(0);
    expect(backoffDelayMs(1, opts, () => 0.5)).toBe(50);
    expect(backoffDelayMs(2, opts, () => 0.5)).toBe(100);
    expect(backoffDelayMs(3, opts, () => 0.5)).toBe(200);
    expect(backoffDelayMs(3, opts, () => 0.999999)).toBe(399);
  });

  it("caps at maxDelayMs however many attempts failed", () => {
    expect(backoffDelayMs(4, opts, () => 0.999999)).toBe(799);
    expect(backoffDelayMs(5, opts, () => 0.999999)).toBe(999);
    expect(backoffDelayMs(50, opts, () => 0.999999)).toBe(999);
  });
});

describe("parseRetryAfterMs", () => {
  const now = Date.UTC(2026, 0, 15, 12, 0, 0);
  it("reads delta-seconds", () => {
    expect(parseRetryAfterMs("0", now)).toBe(0);
    expect(parseRetryAfterMs("7", now)).toBe(7_000);
    expect(parseRetryAfterMs(" 2.5 ", now)).toBe(2_500);
  });
  it("reads an HTTP date relative to now, never negative", () => {
    expect(parseRetryAfterMs("Thu, 15 Jan 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfterMs("Thu, 15 Jan 2026 11:00:00 GMT", now)).toBe(0);
  });
  it("ignores absent or garbage values", () => {
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs("", now)).toBeUndefined();
    expect(parseRetryAfterMs("soon", now)).toBeUndefined();
    expect(parseRetryAfterMs("-5", now)).toBeUndefined();
  });
});

describe("decideRetry", () => {
  const random = () => 0.5;
  it("retries retryable errors of idempotent requests until maxAttempts", () => {
    for (let failed = 1; failed < 5; failed++) {
      expect(decideRetry({ error: err(503), failedAttempts: failed, safety: "idempotent", options: opts, random }).retry).toBe(true);
    }
    expect(decideRetry({ error: err(503), failedAttempts: 5, safety: "idempotent", options: opts, random })).toEqual({ retry: false });
  });

  it("never retries 4xx other than 429", () => {
    for (const status of [400, 401, 402, 403, 404, 409]) {
      expect(decideRetry({ error: err(status), failedAttempts: 1, safety: "idempotent", options: opts, random }).retry).toBe(false);
    }
  });

  it("unsafe requests: retried on 429 and connection failures, not on 5xx or after sending", () => {
    const d = (e: NeoEngineError) => decideRetry({ error: e, failedAttempts: 1, safety: "unsafe", options: opts, random }).retry;
    expect(d(err(429))).toBe(true);
    expect(d(err(500))).toBe(false);
    expect(d(err(503))).toBe(false);
    expect(d(err(0, { code: "NETWORK_ERROR", details: { cause: "ECONNREFUSED", requestSent: false } }))).toBe(true);
    expect(d(err(0, { code: "NETWORK_ERROR", details: { cause: "UND_ERR_SOCKET", requestSent: true } }))).toBe(false);
    expect(d(err(0, { code: "TIMEOUT", details: { cause: "UND_ERR_HEADERS_TIMEOUT", requestSent: true } }))).toBe(false);
  });

  it("waits at least Retry-After, more if the jittered backoff is longer", () => {
    const withRetryAfter = (ms: number, failed: number) =>
      decideRetry({ error: err(429, { retryAfterMs: ms }), failedAttempts: failed, safety: "idempotent", options: opts, random: () => 0.999999 });
    expect(withRetryAfter(5_000, 1)).toEqual({ retry: true, delayMs: 5_000 });
    expect(withRetryAfter(10, 3)).toEqual({ retry: true, delayMs: 399 });
  });

  it("gives up (returns the error to the caller) when Retry-After exceeds maxRetryAfterMs", () => {
    const decision = decideRetry({ error: err(429, { retryAfterMs: 3_600_000 }), failedAttempts: 1, safety: "idempotent", options: opts, random });
    expect(decision).toEqual({ retry: false });
  });

  it("uses the jittered backoff when there is no Retry-After", () => {
    expect(decideRetry({ error: err(502), failedAttempts: 2, safety: "idempotent", options: opts, random })).toEqual({ retry: true, delayMs: 100 });
  });
});

describe("resolveRetryOptions", () => {
  it("fills defaults and rejects nonsense", () => {
    expect(resolveRetryOptions(undefined)).toEqual(DEFAULT_RETRY_OPTIONS);
    expect(resolveRetryOptions({ maxAttempts: 1 }).maxAttempts).toBe(1);
    expect(() => resolveRetryOptions({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolveRetryOptions({ baseDelayMs: -1 })).toThrow(/baseDelayMs/);
  });
});
