import { describe, expect, it } from "vitest";
import { createOperatorMetrics } from "../../../src/metrics/index.js";
import { startHealthServer, startMetricsServer } from "../../../src/operator/http-servers.js";

describe("operator HTTP servers", () => {
  it("/healthz and /readyz follow the checks; other paths 404", async () => {
    let ready = false;
    let live = true;
    const server = await startHealthServer("127.0.0.1:0", { live: () => live, ready: () => (ready ? { ok: true } : { ok: false, reason: "NeoJob caches not synced" }) });
    try {
      const get = (p: string) => fetch(`http://127.0.0.1:${server.port}${p}`);
      expect((await get("/healthz")).status).toBe(200);
      const notReady = await get("/readyz");
      expect(notReady.status).toBe(503);
      expect(await notReady.text()).toContain("caches not synced");
      ready = true;
      expect((await get("/readyz")).status).toBe(200);
      live = false;
      expect((await get("/healthz")).status).toBe(503);
      expect((await get("/nope")).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it("/metrics serves the registry with Node's default process metrics", async () => {
    const server = await startMetricsServer("127.0.0.1:0", createOperatorMetrics());
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain("process_resident_memory_bytes");
      expect(text).toContain("workqueue_depth");
    } finally {
      await server.close();
    }
  });
});
