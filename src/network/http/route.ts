import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { describeZodError } from "../../neoengine/wire.js";
import type { z } from "zod";
import type { Principal } from "../core/accounts.js";
import { ApiError } from "../core/errors.js";

/** Who may call a route: consumer tokens, provider tokens, either, or anyone. */
export type Role = "consumer" | "provider" | "any" | "public";

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

/** One route: registered with fastify and described in the OpenAPI document from the same data. */
export interface RouteDef {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** fastify syntax: /v1/jobs/:jobId */
  url: string;
  role: Role;
  summary: string;
  /** true for the project's additions to the seed API. */
  extension?: boolean;
  description?: string;
  query?: z.ZodType;
  body?: z.ZodType;
  bodyContentTypes?: string[];
  headers?: { name: string; description: string; required?: boolean }[];
  responses: Record<number, ResponseSpec>;
  handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

declare module "fastify" {
  interface FastifyContextConfig {
    role?: Role;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Parses with a wire schema; a failure is 400 INVALID_PARAMETERS with {field, value}. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, prefix: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const { message, details } = describeZodError(result.error, input, prefix);
    throw new ApiError("INVALID_PARAMETERS", message, details);
  }
  return result.data;
}

/** The authenticated principal (the auth hook guarantees it on non-public routes). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new ApiError("UNAUTHORIZED", "missing bearer token");
  return req.principal;
}

export function paramOf(req: FastifyRequest, name: string): string {
  return (req.params as Record<string, string>)[name] ?? "";
}

export function registerRoutes(app: FastifyInstance, routes: readonly RouteDef[]): void {
  for (const r of routes) {
    app.route({ method: r.method, url: r.url, config: { role: r.role }, handler: r.handler });
  }
}
