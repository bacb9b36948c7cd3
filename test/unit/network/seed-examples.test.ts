// The seed API document's examples, request for request: same paths, same bodies, and
// responses with exactly the documented shapes (plus documented extra fields).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  JobSchema,
  ListJobsResponseSchema,
  ListProvidersResponseSchema,
  MarketPricesSchema,
  SubmitJobResponseSchema,
} from "../../../src/neoengine/wire.js";
import { call, expectError, gpuProvider, registerProvider, seedJob, startTestNetwork, type TestNetwork } from "./helpers.js";

let n: TestNetwork;
beforeEach(async () => {
  n = await startTestNetwork();
});
afterEach(async () => n.close());

describe("seed examples", () => {
  it("Authentication: curl -H 'Authorization: Bearer <token>' /v1/jobs", async () => {
    const ok = await call(n.server, "GET", "/v1/jobs", { token: n.alice });
    expect(ok.status).toBe(200);
    expect(ListJobsResponseSchema.parse(ok.body)).toEqual({ jobs: [], nextCursor: null });
    expectError(await call(n.server, "GET", "/v1/jobs"), 401, "UNAUTHORIZED");
  });

  it("POST /jobs with the seed body answers {id, status: pending, createdAt}", async () => {
    const res = await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: seedJob() });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(["createdAt", "id", "status"]);
    const body = SubmitJobResponseSchema.parse(res.body);
    expect(body.id).toMatch(/^job_[0-9A-Za-z]+$/);
    expect(body.status).toBe("pending");
    expect(body.createdAt).toBe("2026-01-15T12:00:00Z");
  });

  it("GET /jobs/{jobId} of a running job has id, status running, provider, startedAt, progress", async () => {
    const provId = await registerProvider(n.server, n.acme);
    const { body: submitted } = await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: seedJob() });
    await n.server.admin.runScheduler();
    n.clock.advance(60_000);
    await call(n.server, "POST", `/v1/jobs/${submitted.id}/events`, { token: n.acme, body: { status: "running" } });
    await call(n.server, "POST", `/v1/jobs/${submitted.id}/events`, { token: n.acme, body: { progress: 45 } });
    const res = await call(n.server, "GET", `/v1/jobs/${submitted.id}`, { token: n.alice });
    expect(res.status).toBe(200);
    const job = JobSchema.parse(res.body);
    expect({ id: job.id, status: job.status, provider: job.provider, startedAt: job.startedAt, progress: job.progress }).toEqual({
      id: submitted.id,
      status: "running",
      provider: provId,
      startedAt: "2026-01-15T12:01:00Z",
      progress: 45,
    });
    expect(provId).toMatch(/^prov_[0-9A-Za-z]+$/);
  });

  it("GET /jobs/{id}/logs, /results, POST /cancel, GET /jobs?status=running&limit=20", async () => {
    await registerProvider(n.server, n.acme);
    const id = (await call(n.server, "POST", "/v1/jobs", { token: n.alice, body: seedJob() })).body.id as string;
    await n.server.admin.runScheduler();
    await call(n.server, "POST", `/v1/jobs/${id}/events`, { token: n.acme, body: { status: "running" } });
    await call(n.server, "POST", `/v1/jobs/${id}/logs`, { token: n.acme, raw: "Hello\n", contentType: "text/plain" });
    const logs = await call(n.server, "GET", `/v1/jobs/${id}/logs`, { token: n.alice });
    expect(logs.status).toBe(200);
    expect(logs.headers["content-type"]).toMatch(/^text\/plain/);
    expect(logs.text).toBe("Hello\n");
    const list = await call(n.server, "GET", "/v1/jobs?status=running&limit=20", { token: n.alice });
    expect(ListJobsResponseSchema.parse(list.body).jobs.map((j) => j.id)).toEqual([id]);
    expectError(await call(n.server, "GET", `/v1/jobs/${id}/results`, { token: n.alice }), 409, "CONFLICT");
    const cancelled = await call(n.server, "POST", `/v1/jobs/${id}/cancel`, { token: n.alice });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    const results = await call(n.server, "GET", `/v1/jobs/${id}/results`, { token: n.alice });
    expect(results.status).toBe(200);
    expect(results.body).toMatchObject({ exitCode: null, outputs: [] });
  });

  it("GET /providers?gpu=true&minReputation=500 and GET /providers/{providerId}", async () => {
    const gpuId = await registerProvider(n.server, n.acme);
    await registerProvider(n.server, n.acme, gpuProvider("cpu-only", { resources: { cpu: 8, memory: "32Gi", gpu: 0 } }));
    const res = await call(n.server, "GET", "/v1/providers?gpu=true&minReputation=500", { token: n.alice });
    expect(res.status).toBe(200);
    const page = ListProvidersResponseSchema.parse(res.body);
    expect(page.providers.map((p) => p.id)).toEqual([gpuId]);
    expect((await call(n.server, "GET", "/v1/providers?gpu=true&minReputation=501", { token: n.alice })).body.providers).toEqual([]);
    const one = await call(n.server, "GET", `/v1/providers/${gpuId}`, { token: n.alice });
    expect(one.body).toMatchObject({
      id: gpuId,
      online: true,
      reputation: 500,
      jobsCompleted: 0,
      resources: { cpu: 32, memory: "256Gi", gpu: 4, gpuModel: "nvidia-a100", gpuMemory: "80Gi" },
      prices: { cpu: "0.020000", memory: "0.010000", gpu: "0.750000" },
    });
  });

  it("GET /market/prices has exactly the seed's shape with numbers", async () => {
    await registerProvider(n.server, n.acme, gpuProvider("a", { prices: { cpu: "0.01", memory: "0.005", gpu: "0.50" } }));
    await registerProvider(n.server, n.acme, gpuProvider("b", { prices: { cpu: "0.05", memory: "0.02", gpu: "1.20" } }));
    await registerProvider(n.server, n.acme, gpuProvider("c", { prices: { cpu: "0.015", memory: "0.011", gpu: "0.55" } }));
    const res = await call(n.server, "GET", "/v1/market/prices", { token: n.alice });
    expect(res.status).toBe(200);
    expect(MarketPricesSchema.parse(res.body)).toEqual(res.body);
    expect(res.body).toEqual({
      cpu: { min: 0.01, avg: 0.025, max: 0.05 },
      memory: { min: 0.005, avg: 0.012, max: 0.02 },
      gpu: { "nvidia-a100": { min: 0.5, avg: 0.75, max: 1.2 } },
    });
  });

  it("GET /market/stats, /wallet/balance, /wallet/earnings, POST /wallet/withdraw", async () => {
    expect((await call(n.server, "GET", "/v1/market/stats", { token: n.alice })).status).toBe(200);
    const bal = await call(n.server, "GET", "/v1/wallet/balance", { token: n.alice });
    expect(bal.body).toMatchObject({ available: "1000.000000", escrowed: "0.000000" });
    const earn = await call(n.server, "GET", "/v1/wallet/earnings", { token: n.acme });
    expect(earn.body).toMatchObject({ available: "0.000000", total: "0.000000", withdrawn: "0.000000" });
    expectError(await call(n.server, "POST", "/v1/wallet/withdraw", { token: n.acme, body: { amount: "1.0" } }), 402, "INSUFFICIENT_FUNDS");
  });

  it("the seed's error example: cpu 0 → INVALID_PARAMETERS 'cpu must be at least 1' {field, value}", async () => {
    const body = { ...seedJob(), resources: { cpu: 0, memory: "4Gi", gpu: 0 } };
    const res = await call(n.server, "POST", "/v1/jobs", { token: n.alice, body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: { code: "INVALID_PARAMETERS", message: "cpu must be at least 1", details: { field: "resources.cpu", value: 0 } },
    });
  });
});
