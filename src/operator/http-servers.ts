import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { metricsHandler, parseListenAddress, type OperatorMetrics } from "../metrics/index.js";

// The operator's two small HTTP servers: /metrics (Prometheus) and /healthz + /readyz (probes).

export interface ListeningServer {
  port: number;
  close(): Promise<void>;
}

async function listen(server: Server, addr: string): Promise<ListeningServer> {
  const { host, port } = parseListenAddress(addr);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export function startMetricsServer(addr: string, metrics: OperatorMetrics): Promise<ListeningServer> {
  const handle = metricsHandler(metrics);
  return listen(
    createServer((req, res) => {
      if (!handle(req, res)) res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }),
    addr,
  );
}

export interface HealthChecks {
  /** Liveness: the process is working (false only while shutting down). */
  live(): boolean;
  /** Readiness: caches synced; the reason when not. */
  ready(): { ok: boolean; reason?: string };
}

export function startHealthServer(addr: string, checks: HealthChecks): Promise<ListeningServer> {
  return listen(
    createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      if (path === "/healthz") {
        const ok = checks.live();
        res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" }).end(ok ? "ok\n" : "shutting down\n");
      } else if (path === "/readyz") {
        const r = checks.ready();
        res.writeHead(r.ok ? 200 : 503, { "content-type": "text/plain" }).end(r.ok ? "ok\n" : `not ready: ${r.reason ?? "starting"}\n`);
      } else {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      }
    }),
    addr,
  );
}
