import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { RATE_LIMIT_HEADERS } from "../../neoengine/wire.js";
import { authenticate, limitsFor } from "../core/accounts.js";
import type { NetworkContext } from "../core/context.js";
import { ApiError } from "../core/errors.js";
import { Live } from "./live.js";
import { buildOpenApi } from "./openapi.js";
import { DualWindowLimiter } from "./rate-limit.js";
import { registerRoutes, type RouteDef } from "./route.js";
import { jobRoutes } from "./routes/jobs.js";
import { marketWalletRoutes } from "./routes/market-wallet.js";
import { providerRoutes } from "./routes/providers.js";

export interface HttpApp {
  app: FastifyInstance;
  routes: RouteDef[];
  live: Live;
  /** Requests seen, by "METHOD /route/pattern" ("METHOD <unknown>" for unmatched URLs). */
  requestCounts: Map<string, number>;
}

function sendError(reply: FastifyReply, err: ApiError): FastifyReply {
  return reply.code(err.status).type("application/json; charset=utf-8").send({
    error: { code: err.code, message: err.message, details: err.details },
  });
}

/** Maps anything thrown to the seed's envelope; only genuine server faults become 500. */
function toApiError(err: unknown, bodyLimit: number): { apiError: ApiError; serverFault: boolean } {
  if (err instanceof ApiError) return { apiError: err, serverFault: false };
  const e = err as FastifyError;
  const status = typeof e.statusCode === "number" ? e.statusCode : 500;
  if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    return { apiError: new ApiError("INVALID_PARAMETERS", `request body exceeds ${bodyLimit} bytes`, { field: "body", value: null }), serverFault: false };
  }
  if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return {
      apiError: new ApiError("INVALID_PARAMETERS", "Content-Type must be application/json (or text/plain for log appends)", {
        field: "Content-Type",
        value: null,
      }),
      serverFault: false,
    };
  }
  if (status >= 400 && status < 500) {
    return { apiError: new ApiError("INVALID_PARAMETERS", e.message || "bad request", { field: "request", value: null }), serverFault: false };
  }
  return { apiError: new ApiError("INTERNAL_ERROR", "internal error", null), serverFault: true };
}

export function buildHttpApp(ctx: NetworkContext, version: string): HttpApp {
  const live = new Live();
  const requestCounts = new Map<string, number>();
  const limiter = new DualWindowLimiter(ctx.now);
  const bodyLimit = ctx.config.bodyLimitBytes;
  const app = Fastify({
    logger: false,
    bodyLimit,
    forceCloseConnections: true,
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    frameworkErrors: (error, _req, reply) => {
      void sendError(reply, new ApiError("INVALID_PARAMETERS", `malformed request: ${error.message}`, { field: "url", value: null }));
    },
  });

  // JSON bodies: an empty body is "no body" (so POST /jobs/{id}/cancel works with or without
  // Content-Type); malformed JSON is a 400 naming the body.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new ApiError("INVALID_PARAMETERS", `body is not valid JSON: ${(err as Error).message}`, { field: "body", value: text.slice(0, 200) }), undefined);
    }
  });

  app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
    const pattern = req.routeOptions.url ?? "<unknown>";
    const key = `${req.method} ${pattern}`;
    requestCounts.set(key, (requestCounts.get(key) ?? 0) + 1);
    const role = req.routeOptions.config?.role;
    if (role === undefined || role === "public") return;
    const header = req.headers.authorization;
    const match = typeof header === "string" ? /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header.trim()) : null;
    if (!match) throw new ApiError("UNAUTHORIZED", header ? "Authorization must be 'Bearer <token>'" : "missing bearer token", null);
    const principal = await authenticate(ctx, match[1] as string);
    if (!principal) throw new ApiError("UNAUTHORIZED", "invalid token", null);
    req.principal = principal;
    const d = limiter.consume(principal.tokenId, limitsFor(ctx, principal));
    reply.header(RATE_LIMIT_HEADERS.limit, d.minute.limit);
    reply.header(RATE_LIMIT_HEADERS.remaining, d.minute.remaining);
    reply.header(RATE_LIMIT_HEADERS.reset, d.minute.resetSeconds);
    reply.header(RATE_LIMIT_HEADERS.dayLimit, d.day.limit);
    reply.header(RATE_LIMIT_HEADERS.dayRemaining, d.day.remaining);
    reply.header(RATE_LIMIT_HEADERS.dayReset, d.day.resetSeconds);
    if (!d.allowed) {
      reply.header(RATE_LIMIT_HEADERS.retryAfter, d.retryAfterSeconds);
      const window = d.day.remaining === 0 ? "day" : "minute";
      throw new ApiError("RATE_LIMITED", `rate limit exceeded: ${window === "day" ? d.day.limit : d.minute.limit} requests per ${window}`, {
        window,
        limit: window === "day" ? d.day.limit : d.minute.limit,
        retryAfterSeconds: d.retryAfterSeconds,
      });
    }
    if (role !== "any" && principal.kind !== role) {
      throw new ApiError("FORBIDDEN", `this endpoint needs a ${role} token; this is a ${principal.kind} token`, null);
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const { apiError, serverFault } = toApiError(err, bodyLimit);
    if (serverFault) ctx.log.error({ err, method: req.method, route: req.routeOptions.url }, "request failed");
    return sendError(reply, apiError);
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, new ApiError("NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`, { field: "url", value: req.url.split("?")[0] })),
  );

  const routes: RouteDef[] = [...jobRoutes(ctx, live), ...providerRoutes(ctx, live), ...marketWalletRoutes(ctx)];
  let openapi: Record<string, unknown> | undefined;
  const openapiRoute: RouteDef = {
    method: "GET",
    url: "/v1/openapi.json",
    role: "public",
    extension: true,
    summary: "OpenAPI document",
    description: "OpenAPI 3.1 document of this API, generated from the wire schemas. No token needed.",
    responses: { 200: { description: "OpenAPI 3.1 JSON" } },
    handler: async () => (openapi ??= buildOpenApi(routes, version)),
  };
  routes.push(openapiRoute);
  registerRoutes(app, routes);
  app.addHook("preClose", async () => live.endAll());
  return { app, routes, live, requestCounts };
}
