import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { call, expectError, registerProvider, seedJob, startTestNetwork, submit, type TestNetwork } from "./helpers.js";

let n: TestNetwork;
beforeEach(async () => {
  n = await startTestNetwork();
});
afterEach(async () => n.close());

describe("authentication and tenancy", () => {
  it("401 for a missing, malformed or unknown token", async () => {
    expectError(await call(n.server, "GET", "/v1/jobs"), 401, "UNAUTHORIZED");
    expectError(await call(n.server, "GET", "/v1/jobs", { headers: { authorization: "Basic abc" } }), 401, "UNAUTHORIZED");
    expectError(await call(n.server, "GET", "/v1/jobs", { headers: { authorization: "Bearer" } }), 401, "UNAUTHORIZED");
    expectError(await call(n.server, "GET", "/v1/jobs", { token: "neo_c_notatoken" }), 401, "UNAUTHORIZED");
    expectError(await call(n.server, "GET", "/v1/market/prices"), 401, "UNAUTHORIZED");
    // the OpenAPI document is public
    expect((await call(n.server, "GET", "/v1/openapi.json")).status).toBe(200);
  });

  it("consumer tokens get 403 on the provider protocol, provider tokens 403 on consumer job endpoints", async () => {
    const prov = await registerProvider(n.server, n.acme);
    const id = await submit(n.server, n.alice);
    for (const [method, path, body] of [
      ["POST", "/v1/providers", {}],
      ["POST", `/v1/providers/${prov}/heartbeat`, {}],
      ["GET", `/v1/providers/${prov}/assignments?wait=0`, undefined],
      ["DELETE", `/v1/providers/${prov}`, undefined],
      ["POST", `/v1/jobs/${id}/events`, { status: "running" }],
      ["POST", `/v1/jobs/${id}/logs`, { data: "x" }],
      ["PUT", `/v1/jobs/${id}/results`, { exitCode: 0 }],
    ] as const) {
      expectError(await call(n.server, method, path, { token: n.alice, body }), 403, "FORBIDDEN");
    }
    for (const [method, path] of [
      ["POST", "/v1/jobs"],
      ["GET", "/v1/jobs"],
      ["GET", `/v1/jobs/${id}`],
      ["GET", `/v1/jobs/${id}/logs`],
      ["GET", `/v1/jobs/${id}/results`],
      ["POST", `/v1/jobs/${id}/cancel`],
    ] as const) {
      expectError(await call(n.server, method, path, { token: n.acme, body: method === "POST" ? seedJob() : undefined }), 403, "FORBIDDEN");
    }
    // shared read endpoints and the wallet accept both kinds
    for (const path of ["/v1/providers", `/v1/providers/${prov}`, "/v1/market/prices", "/v1/market/stats", "/v1/wallet/balance", "/v1/wallet/earnings"]) {
      expect((await call(n.server, "GET", path, { token: n.acme })).status).toBe(200);
      expect((await call(n.server, "GET", path, { token: n.alice })).status).toBe(200);
    }
  });

  it("another account's job is 404 on every job endpoint, and it is not listed", async () => {
    const id = await submit(n.server, n.alice);
    for (const [method, path] of [
      ["GET", `/v1/jobs/${id}`],
      ["GET", `/v1/jobs/${id}/logs`],
      ["GET", `/v1/jobs/${id}/results`],
      ["POST", `/v1/jobs/${id}/cancel`],
    ] as const) {
      const err = expectError(await call(n.server, method, path, { token: n.bob }), 404, "NOT_FOUND");
      expect(err.message).toBe(`job ${id} not found`);
    }
    expect((await call(n.server, "GET", "/v1/jobs", { token: n.bob })).body.jobs).toEqual([]);
    expect((await call(n.server, "GET", `/v1/jobs/${id}`, { token: n.alice })).status).toBe(200);
    // bob's wallet is bob's
    expect((await call(n.server, "GET", "/v1/wallet/balance", { token: n.bob })).body.escrowed).toBe("0.000000");
    expect((await call(n.server, "GET", "/v1/wallet/balance", { token: n.alice })).body.escrowed).toBe("1.000000");
  });
});

describe("rate limits", () => {
  it("free tier: the 61st request in a minute is 429 with Retry-After and X-RateLimit-*; the next minute is fresh", async () => {
    await n.server.admin.createAccount("freebie", "free", "10");
    const token = await n.server.admin.createToken("freebie");
    n.clock.t = Date.parse("2026-01-15T12:00:10Z");
    for (let i = 1; i <= 60; i++) {
      const res = await call(n.server, "GET", "/v1/wallet/balance", { token });
      expect(res.status).toBe(200);
      expect(res.headers["x-ratelimit-limit"]).toBe("60");
      expect(res.headers["x-ratelimit-remaining"]).toBe(String(60 - i));
      expect(res.headers["x-ratelimit-reset"]).toBe("50");
      expect(res.headers["x-ratelimit-day-limit"]).toBe("1000");
      expect(res.headers["x-ratelimit-day-remaining"]).toBe(String(1000 - i));
    }
    const limited = await call(n.server, "GET", "/v1/wallet/balance", { token });
    const err = expectError(limited, 429, "RATE_LIMITED");
    expect(err.details).toMatchObject({ window: "minute", limit: 60, retryAfterSeconds: 50 });
    expect(limited.headers["retry-after"]).toBe("50");
    expect(limited.headers["x-ratelimit-remaining"]).toBe("0");
    // a refused request does not count against the day
    expect(limited.headers["x-ratelimit-day-remaining"]).toBe("940");
    // another token of another account is unaffected
    expect((await call(n.server, "GET", "/v1/wallet/balance", { token: n.alice })).status).toBe(200);
    n.clock.advance(50_000);
    const next = await call(n.server, "GET", "/v1/wallet/balance", { token });
    expect(next.status).toBe(200);
    expect(next.headers["x-ratelimit-remaining"]).toBe("59");
  });

  it("free tier: the day budget of 1000 holds across minutes; 429 until the UTC day ends", async () => {
    await n.server.admin.createAccount("freebie", "free", "10");
    const token = await n.server.admin.createToken("freebie");
    n.clock.t = Date.parse("2026-01-15T06:00:00Z");
    let ok = 0;
    for (let minute = 0; minute < 17; minute++) {
      for (let i = 0; i < 60; i++) {
        const res = await call(n.server, "GET", "/v1/market/stats", { token });
        if (res.status === 200) ok++;
        else {
          const err = expectError(res, 429, "RATE_LIMITED");
          expect(minute).toBe(16);
          expect(i).toBe(40);
          expect(err.details).toMatchObject({ window: "day", limit: 1000 });
          expect(res.headers["retry-after"]).toBe(String(18 * 3600 - 16 * 60));
          break;
        }
      }
      n.clock.advance(60_000);
    }
    expect(ok).toBe(1000);
    n.clock.t = Date.parse("2026-01-15T23:59:59Z");
    expectError(await call(n.server, "GET", "/v1/market/stats", { token }), 429, "RATE_LIMITED");
    n.clock.t = Date.parse("2026-01-16T00:00:00Z");
    expect((await call(n.server, "GET", "/v1/market/stats", { token })).status).toBe(200);
  });

  it("pro is 300/min; enterprise uses the account's custom limits or the server default", async () => {
    n.clock.t = Date.parse("2026-01-15T12:00:00Z");
    for (let i = 0; i < 300; i++) expect((await call(n.server, "GET", "/v1/market/prices", { token: n.bob })).status).toBe(200);
    expectError(await call(n.server, "GET", "/v1/market/prices", { token: n.bob }), 429, "RATE_LIMITED");

    await n.server.admin.createAccount("bigco", "enterprise", "0", { perMinute: 5, perDay: 7 });
    const big = await n.server.admin.createToken("bigco");
    for (let i = 0; i < 5; i++) expect((await call(n.server, "GET", "/v1/market/prices", { token: big })).status).toBe(200);
    expectError(await call(n.server, "GET", "/v1/market/prices", { token: big }), 429, "RATE_LIMITED");
    n.clock.advance(60_000);
    expect((await call(n.server, "GET", "/v1/market/prices", { token: big })).status).toBe(200);
    expect((await call(n.server, "GET", "/v1/market/prices", { token: big })).status).toBe(200);
    const day = await call(n.server, "GET", "/v1/market/prices", { token: big });
    expect(expectError(day, 429, "RATE_LIMITED").details).toMatchObject({ window: "day", limit: 7 });

    await n.server.admin.createAccount("defaultco", "enterprise", "0");
    const dflt = await n.server.admin.createToken("defaultco");
    expect((await call(n.server, "GET", "/v1/market/prices", { token: dflt })).headers["x-ratelimit-limit"]).toBe("3000");
  });

  it("limits are per token, and a 4xx still counts", async () => {
    await n.server.admin.createAccount("freebie", "free", "10");
    const t1 = await n.server.admin.createToken("freebie");
    const t2 = await n.server.admin.createToken("freebie");
    for (let i = 0; i < 60; i++) await call(n.server, "GET", "/v1/jobs/job_nope", { token: t1 });
    expectError(await call(n.server, "GET", "/v1/jobs", { token: t1 }), 429, "RATE_LIMITED");
    expect((await call(n.server, "GET", "/v1/jobs", { token: t2 })).status).toBe(200);
  });
});
