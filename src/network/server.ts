import { buildHttpApp } from "./http/app.js";
import { createNetwork, type NetworkAdmin, type NetworkOptions } from "./core/network.js";
import type { JobStatus } from "../neoengine/wire.js";

export interface NetworkServerOptions extends NetworkOptions {
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** Log one line per request (method, route, status, ms — never headers). Default false. */
  logRequests?: boolean;
}

export interface NetworkServerAdmin extends NetworkAdmin {
  /** HTTP requests served, optionally only one "METHOD /v1/route/:pattern" (e.g. "POST /v1/jobs"). */
  requestCount(route?: string): number;
  requestCounts(): Record<string, number>;
}

export interface NetworkServer {
  /** Base URL without the /v1 suffix, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  admin: NetworkServerAdmin;
  close(): Promise<void>;
}

/** Version of the API document (the seed's "/v1", beta). */
const API_DOCUMENT_VERSION = "1.0.0-beta";

/** Starts the reference NeoEngine network server (HTTP + storage + scheduler) in this process. */
export async function startNetworkServer(options: NetworkServerOptions = {}): Promise<NetworkServer> {
  const network = await createNetwork(options);
  const { app, requestCounts } = buildHttpApp(network.ctx, API_DOCUMENT_VERSION);
  if (options.logRequests) {
    app.addHook("onResponse", async (req, reply) => {
      network.ctx.log.info(
        { method: req.method, route: req.routeOptions.url ?? req.url.split("?")[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        "request",
      );
    });
  }
  try {
    await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 0 });
  } catch (err) {
    await network.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 0);
  const host = options.host ?? "127.0.0.1";
  const admin: NetworkServerAdmin = {
    ...network.admin,
    requestCount: (route) =>
      route === undefined ? [...requestCounts.values()].reduce((a, b) => a + b, 0) : (requestCounts.get(route) ?? 0),
    requestCounts: () => Object.fromEntries(requestCounts),
  };
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    admin,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await network.close();
      })()),
  };
}

export type { NetworkOptions, NetworkAdmin, JobStatus };
export type { RateLimits } from "./core/context.js";
