// The /metrics endpoint. `metricsHandler` plugs into any node:http server (the operator's
// metrics port); `serveMetrics` is a ready server for processes that need nothing else.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { operatorMetrics, type OperatorMetrics } from "./registry.js";

/**
 * Answers GET/HEAD /metrics with the exposition; returns false (and writes nothing) for other
 * paths so the caller can route them (e.g. to 404).
 */
export function metricsHandler(metrics: OperatorMetrics = operatorMetrics(), path = "/metrics") {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== path) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
      return true;
    }
    metrics.render().then(
      (body) => {
        res.writeHead(200, { "content-type": metrics.contentType });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      (err: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" }).end(`collecting metrics failed: ${String(err)}\n`);
      },
    );
    return true;
  };
}

/** Parses "host:port", ":port" or "port" (the --metrics-addr forms); host defaults to all interfaces. */
export function parseListenAddress(addr: string): { host: string | undefined; port: number } {
  const idx = addr.lastIndexOf(":");
  const hostPart = idx >= 0 ? addr.slice(0, idx) : "";
  const portPart = idx >= 0 ? addr.slice(idx + 1) : addr;
  const port = Number(portPart);
  if (!/^\d+$/.test(portPart) || port > 65535) throw new Error(`invalid listen address "${addr}": expected host:port, :port or port`);
  const host = hostPart.replace(/^\[(.*)\]$/, "$1");
  return { host: host === "" ? undefined : host, port };
}

export interface MetricsServer {
  server: Server;
  /** The bound port (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/** Starts an HTTP server that serves only /metrics (everything else 404). */
export async function serveMetrics(addr: string, metrics: OperatorMetrics = operatorMetrics()): Promise<MetricsServer> {
  const { host, port } = parseListenAddress(addr);
  const handle = metricsHandler(metrics);
  const server = createServer((req, res) => {
    if (!handle(req, res)) res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
