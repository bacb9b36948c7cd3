import { z } from "zod";
import { ERROR_CODES, JOB_STATUSES } from "../../neoengine/wire.js";
import type { RouteDef } from "./route.js";

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** OpenAPI 3.1 document of every route, built from the same zod schemas the server validates with. */
export function buildOpenApi(routes: readonly RouteDef[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z]+)/g, "{$1}");
    const parameters: Record<string, unknown>[] = [...r.url.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    if (r.query) {
      const q = schemaOf(r.query, "input");
      const props = (q.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((q.required ?? []) as string[]);
      for (const [name, schema] of Object.entries(props)) {
        parameters.push({ name, in: "query", required: required.has(name), schema });
      }
    }
    for (const h of r.headers ?? []) {
      parameters.push({ name: h.name, in: "header", required: h.required ?? false, description: h.description, schema: { type: "string" } });
    }
    const responses: Record<string, unknown> = {};
    for (const [code, spec] of Object.entries(r.responses)) {
      const contentType = spec.contentType ?? "application/json";
      responses[code] = {
        description: spec.description,
        content: { [contentType]: { schema: spec.schema ? schemaOf(spec.schema, "output") : { type: "string" } } },
      };
    }
    if (r.role !== "public") {
      responses["401"] ??= { description: "Missing or invalid token", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
      responses["429"] ??= { description: "Rate limited", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
    }
    if (r.role === "consumer" || r.role === "provider") {
      responses["403"] ??= {
        description: `Forbidden for ${r.role === "consumer" ? "provider" : "consumer"} tokens`,
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      };
    }
    const operation: Record<string, unknown> = {
      summary: r.summary,
      description: [r.extension ? "**Extension** (not in the seed API)." : "", r.description ?? ""].filter(Boolean).join(" "),
      tags: [r.extension ? "extension" : "seed"],
      "x-neoengine-extension": r.extension ?? false,
      "x-neoengine-token": r.role,
      parameters,
      responses,
    };
    if (r.role === "public") operation.security = [];
    if (r.body) {
      const types = r.bodyContentTypes ?? ["application/json"];
      operation.requestBody = {
        required: r.method !== "POST" || !r.url.endsWith("/heartbeat"),
        content: Object.fromEntries(types.map((t) => [t, { schema: t === "text/plain" ? { type: "string" } : schemaOf(r.body as z.ZodType, "input") }])),
      };
    }
    (paths[path] ??= {})[r.method.toLowerCase()] = operation;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "NeoEngine API (reference network server)",
      version,
      description:
        "The seed NeoEngine API plus the project's extensions (provider protocol, Idempotency-Key, openapi.json), see docs/api.md.",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: {
                code: { type: "string", enum: [...ERROR_CODES] },
                message: { type: "string" },
                details: { type: ["object", "null"] },
              },
            },
          },
        },
        JobStatus: { type: "string", enum: [...JOB_STATUSES] },
      },
    },
    paths,
  };
}
