import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../../src/neoengine/wire.js";
import { call, expectError, registerProvider, seedJob, startTestNetwork, submit, type TestNetwork } from "./helpers.js";

let n: TestNetwork;
beforeEach(async () => {
  n = await startTestNetwork({ bodyLimitBytes: 64 * 1024 });
});
afterEach(async () => n.close());

const job = (over: Record<string, unknown> = {}, resources: Record<string, unknown> = {}) => ({
  ...seedJob(),
  ...over,
  resources: { ...seedJob().resources, ...resources },
});

describe("bad input → 400 INVALID_PARAMETERS with {field, value}", () => {
  const cases: [string, unknown, string, unknown, RegExp][] = [
    ["cpu 0", job({}, { cpu: 0 }), "resources.cpu", 0, /^cpu must be at least 1$/],
    ["cpu string", job({}, { cpu: "2" }), "resources.cpu", "2", /^cpu must be a number$/],
    ["gpu negative", job({}, { gpu: -1 }), "resources.gpu", -1, /^gpu must be at least 0$/],
    ["gpu fraction", job({}, { gpu: 0.5 }), "resources.gpu", 0.5, /^gpu must be an integer$/],
    ["memory bad", job({}, { memory: "4 GB" }), "resources.memory", "4 GB", /^memory must be a quantity/],
    ["memory zero", job({}, { memory: "0" }), "resources.memory", "0", /^memory must be greater than 0$/],
    ["gpuModel bad", job({}, { gpuModel: "NVIDIA A100" }), "resources.gpuModel", "NVIDIA A100", /^gpuModel must be a GPU model slug/],
    ["image missing", { ...seedJob(), image: undefined }, "image", null, /^image is required$/],
    ["image empty", job({ image: "" }), "image", "", /^image must not be empty$/],
    ["command not array", job({ command: "python" }), "command", "python", /^command must be an array$/],
    ["command item", job({ command: ["a", 1] }), "command.1", 1, /^command\[1\] must be a string$/],
    ["maxPrice number", job({ maxPrice: 1 }), "maxPrice", 1, /^maxPrice must be a decimal string/],
    ["maxPrice zero", job({ maxPrice: "0" }), "maxPrice", "0", /^maxPrice must be greater than 0$/],
    ["maxPrice negative", job({ maxPrice: "-1" }), "maxPrice", "-1", /^maxPrice must be a decimal string/],
    ["maxPrice too precise", job({ maxPrice: "0.0000001" }), "maxPrice", "0.0000001", /at most 6 decimals/],
    ["maxPrice huge", job({ maxPrice: "2000000" }), "maxPrice", "2000000", /^maxPrice must be at most 1000000$/],
    ["timeout bad", job({ timeout: "1 hour" }), "timeout", "1 hour", /^timeout must be a duration/],
    ["timeout zero", job({ timeout: "0s" }), "timeout", "0s", /^timeout must be at least 1s$/],
    ["timeout huge", job({ timeout: "200h" }), "timeout", "200h", /^timeout must be at most 168h$/],
    ["env value", job({ env: { A: 1 } }), "env.A", 1, /^A must be a string \(env values are plain strings\)$/],
    ["env name", job({ env: { "1A": "x" } }), "env.1A", "1A", /^env key "1A"/],
    ["placement reputation", job({ placement: { minReputation: 2000 } }), "placement.minReputation", 2000, /^minReputation must be at most 1000$/],
    ["resources missing", { ...seedJob(), resources: undefined }, "resources", null, /^resources is required$/],
    ["body array", [1, 2], "body", [1, 2], /^body must be an object$/],
    ["body string", "hello", "body", "hello", /^body must be an object$/],
  ];
  for (const [name, body, field, value, message] of cases) {
    it(`POST /jobs: ${name}`, async () => {
      const err = expectError(await call(n.server, "POST", "/v1/jobs", { token: n.alice, body }), 400, "INVALID_PARAMETERS");
      expect(err.message).toMatch(message);
      expect(err.details).toEqual({ field, value });
    });
  }

  it("malformed JSON, empty body, wrong content type, oversized body", async () => {
    const bad = expectError(await call(n.server, "POST", "/v1/jobs", { token: n.alice, raw: "{not json" }), 400, "INVALID_PARAMETERS");
    expect(bad.details.field).toBe("body");
    expect(bad.message).toMatch(/not valid JSON/);
    expect(expectError(await call(n.server, "POST", "/v1/jobs", { token: n.alice, raw: "" }), 400, "INVALID_PARAMETERS").details.field).toBe("body");
    const ct = expectError(await call(n.server, "POST", "/v1/jobs", { token: n.alice, raw: "x", contentType: "application/xml" }), 400, "INVALID_PARAMETERS");
    expect(ct.details.field).toBe("Content-Type");
    const big = { ...seedJob(), args: ["x".repeat(70 * 1024)] };
    const tooBig = expectError(await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: big }), 400, "INVALID_PARAMETERS");
    expect(tooBig.message).toMatch(/exceeds 65536 bytes/);
    expect(await n.server.admin.countJobs()).toBe(0);
  });

  it("query parameters are validated", async () => {
    const bad = async (path: string, field: string, value: unknown) => {
      const err = expectError(await call(n.server, "GET", path, { token: n.alice }), 400, "INVALID_PARAMETERS");
      expect(err.details).toEqual({ field, value });
    };
    await bad("/v1/jobs?status=done", "status", "done");
    await bad("/v1/jobs?limit=0", "limit", "0");
    await bad("/v1/jobs?limit=101", "limit", "101");
    await bad("/v1/jobs?limit=abc", "limit", "abc");
    await bad("/v1/jobs?limit=1&limit=2", "limit", ["1", "2"]);
    await bad("/v1/jobs?cursor=zzz", "cursor", "zzz");
    await bad("/v1/providers?gpu=yes", "gpu", "yes");
    await bad("/v1/providers?minReputation=-1", "minReputation", "-1");
    await bad("/v1/providers?cursor=../../etc", "cursor", "../../etc");
    const id = await submit(n.server, n.alice);
    await bad(`/v1/jobs/${id}/logs?tail=-3`, "tail", "-3");
    await bad(`/v1/jobs/${id}/logs?follow=1`, "follow", "1");
    const prov = await registerProvider(n.server, n.acme);
    const err = expectError(await call(n.server, "GET", `/v1/providers/${prov}/assignments?wait=600`, { token: n.acme }), 400, "INVALID_PARAMETERS");
    expect(err.details).toEqual({ field: "wait", value: "600" });
  });

  it("provider protocol bodies are validated", async () => {
    const prov = await registerProvider(n.server, n.acme);
    const id = await submit(n.server, n.alice);
    await n.server.admin.runScheduler();
    const e1 = expectError(await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: {} }), 400, "INVALID_PARAMETERS");
    expect(e1.message).toMatch(/at least one of status/);
    const e2 = expectError(await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "pending" } }), 400, "INVALID_PARAMETERS");
    expect(e2.details).toEqual({ field: "status", value: "pending" });
    const e3 = expectError(await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { progress: 101 } }), 400, "INVALID_PARAMETERS");
    expect(e3.message).toBe("progress must be at most 100");
    const e4 = expectError(await call(n.server, "PUT", `/v1/jobs/${id}/results`, { token: n.acme, body: { exitCode: 0, outputs: [{ name: "x", sizeBytes: 1, sha256: "nothex" }] } }), 400, "INVALID_PARAMETERS");
    expect(e4.details).toEqual({ field: "outputs.0.sha256", value: "nothex" });
    const e5 = expectError(await call(n.server, "POST", `/v1/providers/${prov}/heartbeat`, { token: n.acme, body: { free: { cpu: -1, memory: "1Gi", gpu: 0 } } }), 400, "INVALID_PARAMETERS");
    expect(e5.details).toEqual({ field: "free.cpu", value: -1 });
    const e6 = expectError(await call(n.server, "POST", "/v1/providers", { token: n.acme, body: { name: "x y", resources: { cpu: 1, memory: "1Gi" }, prices: { cpu: "1", memory: "1" } } }), 400, "INVALID_PARAMETERS");
    expect(e6.details.field).toBe("name");
    const e7 = expectError(await call(n.server, "POST", "/v1/wallet/withdraw", { token: n.acme, body: { amount: "-5" } }), 400, "INVALID_PARAMETERS");
    expect(e7.details).toEqual({ field: "amount", value: "-5" });
    const e8 = expectError(await call(n.server, "POST", `/v1/jobs/${id}/logs`, { token: n.acme, body: { data: 5 } }), 400, "INVALID_PARAMETERS");
    expect(e8.details).toEqual({ field: "data", value: 5 });
  });
});

describe("every error code", () => {
  it("is produced by the server in the seed's envelope", async () => {
    const seen = new Set<string>();
    const note = (res: Awaited<ReturnType<typeof call>>, status: number, code: string) => {
      expectError(res, status, code);
      seen.add(code);
    };
    note(await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: job({}, { cpu: 0 }) }), 400, "INVALID_PARAMETERS");
    note(await call(n.server, "GET", "/v1/jobs"), 401, "UNAUTHORIZED");
    await n.server.admin.createAccount("broke", "free", "0");
    note(await call(n.server, "POST", "/v1/jobs", { token: await n.server.admin.createToken("broke"), body: seedJob() }), 402, "INSUFFICIENT_FUNDS");
    note(await call(n.server, "GET", "/v1/jobs", { token: n.acme }), 403, "FORBIDDEN");
    note(await call(n.server, "GET", "/v1/jobs/job_missing", { token: n.alice }), 404, "NOT_FOUND");
    const id = await submit(n.server, n.alice);
    await call(n.server, "POST", `/v1/jobs/${id}/cancel`, { token: n.alice });
    note(await call(n.server, "POST", `/v1/jobs/${id}/cancel`, { token: n.alice }), 409, "CONFLICT");
    await n.server.admin.createAccount("tiny", "enterprise", "0", { perMinute: 1, perDay: 10 });
    const tiny = await n.server.admin.createToken("tiny");
    await call(n.server, "GET", "/v1/wallet/balance", { token: tiny });
    note(await call(n.server, "GET", "/v1/wallet/balance", { token: tiny }), 429, "RATE_LIMITED");
    // INTERNAL_ERROR is covered by the next test (it needs a broken database).
    expect([...seen].sort()).toEqual(ERROR_CODES.filter((c) => c !== "INTERNAL_ERROR").sort());
  });

  it("INTERNAL_ERROR (500) for a server fault, in the envelope, without internals", async () => {
    const { startNetworkServer, SqliteDatabase } = await import("../../../src/network/index.js");
    const { pino } = await import("pino");
    const database = new SqliteDatabase(":memory:");
    const server = await startNetworkServer({ database, schedulerIntervalMs: 0, scheduleOnEvents: false, logger: pino({ level: "silent" }) });
    await server.admin.createAccount("z", "pro", "1");
    const token = await server.admin.createToken("z");
    // break storage underneath the running server: drop a table the balance query needs
    await database.executeScript("DROP TABLE ledger_balances");
    const res = await call(server, "GET", "/v1/wallet/balance", { token });
    expectError(res, 500, "INTERNAL_ERROR");
    expect(res.body.error.message).toBe("internal error");
    expect(res.text).not.toMatch(/ledger_balances|sqlite/i);
    await server.close();
  });

  it("unknown routes and methods are 404 in the error format, with or without a token", async () => {
    expectError(await call(n.server, "GET", "/v1/nothing"), 404, "NOT_FOUND");
    expectError(await call(n.server, "GET", "/"), 404, "NOT_FOUND");
    expectError(await call(n.server, "PATCH", "/v1/jobs", { token: n.alice }), 404, "NOT_FOUND");
    expectError(await call(n.server, "GET", "/v2/jobs", { token: n.alice }), 404, "NOT_FOUND");
    expectError(await call(n.server, "GET", "/v1/jobs/%E0%A4%A", { token: n.alice }), 400, "INVALID_PARAMETERS");
  });
});
