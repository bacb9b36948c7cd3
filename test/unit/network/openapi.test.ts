import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestNetwork, type TestNetwork } from "./helpers.js";

let n: TestNetwork;
beforeAll(async () => {
  n = await startTestNetwork();
});
afterAll(async () => n.close());

describe("GET /v1/openapi.json", () => {
  it("is an OpenAPI 3.1 document covering every seed endpoint and marking extensions", async () => {
    const res = await call(n.server, "GET", "/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, { "x-neoengine-extension": boolean; requestBody?: unknown; parameters: { name: string }[] }>> };
    expect(doc.openapi).toBe("3.1.0");
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    const seed = [
      "POST /v1/jobs",
      "GET /v1/jobs/{jobId}",
      "GET /v1/jobs/{jobId}/logs",
      "GET /v1/jobs/{jobId}/results",
      "POST /v1/jobs/{jobId}/cancel",
      "GET /v1/jobs",
      "GET /v1/providers",
      "GET /v1/providers/{providerId}",
      "GET /v1/market/prices",
      "GET /v1/market/stats",
      "GET /v1/wallet/balance",
      "GET /v1/wallet/earnings",
      "POST /v1/wallet/withdraw",
    ];
    const extensions = [
      "POST /v1/providers",
      "DELETE /v1/providers/{providerId}",
      "POST /v1/providers/{providerId}/heartbeat",
      "GET /v1/providers/{providerId}/assignments",
      "POST /v1/jobs/{jobId}/events",
      "POST /v1/jobs/{jobId}/logs",
      "PUT /v1/jobs/{jobId}/results",
      "GET /v1/openapi.json",
    ];
    expect(ops.sort()).toEqual([...seed, ...extensions].sort());
    const op = (s: string) => {
      const [m, p] = s.split(" ") as [string, string];
      return doc.paths[p]?.[m.toLowerCase()];
    };
    for (const s of seed) expect(op(s)?.["x-neoengine-extension"], s).toBe(false);
    for (const s of extensions) expect(op(s)?.["x-neoengine-extension"], s).toBe(true);
    // the submit body schema comes from the zod schema
    const submit = op("POST /v1/jobs") as unknown as { requestBody: { content: { "application/json": { schema: { properties: Record<string, unknown>; required: string[] } } } } };
    const schema = submit.requestBody.content["application/json"].schema;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["image", "command", "resources", "maxPrice", "timeout", "env", "args", "placement"]));
    expect(schema.required).toEqual(expect.arrayContaining(["image", "resources", "maxPrice", "timeout"]));
    expect(op("GET /v1/jobs")?.parameters.map((p) => p.name)).toEqual(["status", "limit", "cursor"]);
  });
});
