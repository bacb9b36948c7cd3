import { describe, expect, it } from "vitest";
import { errorFromResponse, errorFromTransport, NeoEngineError } from "../../../src/neoengine/errors.js";

const ctx = { method: "GET", endpoint: "/jobs/{id}" };

describe("errorFromResponse", () => {
  it("reads the seed's error envelope", () => {
    const body = JSON.stringify({
      error: { code: "INVALID_PARAMETERS", message: "cpu must be at least 1", details: { field: "resources.cpu", value: 0 } },
    });
    const e = errorFromResponse({ status: 400, bodyText: body, ...ctx });
    expect(e).toBeInstanceOf(NeoEngineError);
    expect(e).toMatchObject({
      status: 400,
      code: "INVALID_PARAMETERS",
      message: "cpu must be at least 1",
      details: { field: "resources.cpu", value: 0 },
      retryable: false,
      method: "GET",
      endpoint: "/jobs/{id}",
    });
  });

  it.each([
    [401, "UNAUTHORIZED", false],
    [402, "INSUFFICIENT_FUNDS", false],
    [403, "FORBIDDEN", false],
    [404, "NOT_FOUND", false],
    [409, "CONFLICT", false],
    [429, "RATE_LIMITED", true],
    [500, "INTERNAL_ERROR", true],
    [502, "INTERNAL_ERROR", true],
    [503, "INTERNAL_ERROR", true],
    [501, "INTERNAL_ERROR", false],
    [418, "HTTP_418", false],
  ] as const)("status %i without an envelope → %s (retryable %s)", (status, code, retryable) => {
    const e = errorFromResponse({ status, bodyText: "<html>bad gateway</html>", ...ctx });
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(retryable);
    expect(e.message).toContain(`HTTP ${status} from GET /jobs/{id}`);
    expect(e.details).toBeUndefined();
  });

  it("keeps an unknown server code and tolerates null details", () => {
    const e = errorFromResponse({ status: 409, bodyText: '{"error":{"code":"NEW_CODE","message":"m","details":null}}', ...ctx });
    expect(e.code).toBe("NEW_CODE");
    expect(e.details).toBeUndefined();
  });

  it("carries Retry-After", () => {
    const e = errorFromResponse({ status: 429, bodyText: "", retryAfterMs: 3000, ...ctx });
    expect(e.retryAfterMs).toBe(3000);
    expect(e.retryable).toBe(true);
  });
});

describe("errorFromTransport", () => {
  it("connection refused → NETWORK_ERROR, retryable, not sent", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    const e = errorFromTransport(cause, { ...ctx, aborted: false });
    expect(e).toMatchObject({ status: 0, code: "NETWORK_ERROR", retryable: true, details: { cause: "ECONNREFUSED", requestSent: false } });
  });

  it("a socket closed by the peer → NETWORK_ERROR that may have been sent", () => {
    const cause = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
    const e = errorFromTransport(cause, { ...ctx, aborted: false });
    expect(e).toMatchObject({ code: "NETWORK_ERROR", retryable: true, details: { cause: "UND_ERR_SOCKET", requestSent: true } });
  });

  it("prefers a specific errno found on the cause chain", () => {
    const inner = Object.assign(new Error("reset"), { code: "ECONNRESET" });
    const outer = Object.assign(new Error("socket"), { code: "UND_ERR_SOCKET", cause: inner });
    expect(errorFromTransport(outer, { ...ctx, aborted: false }).details).toEqual({ cause: "ECONNRESET", requestSent: true });
  });

  it.each(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"])("%s → TIMEOUT", (code) => {
    const e = errorFromTransport(Object.assign(new Error("t"), { code }), { ...ctx, aborted: false });
    expect(e.code).toBe("TIMEOUT");
    expect(e.retryable).toBe(true);
    expect(e.details?.["requestSent"]).toBe(code !== "UND_ERR_CONNECT_TIMEOUT");
  });

  it("an abort by the caller → ABORTED, not retryable", () => {
    const e = errorFromTransport(new Error("aborted"), { ...ctx, aborted: true });
    expect(e).toMatchObject({ code: "ABORTED", retryable: false, status: 0 });
  });
});
