import { afterEach, describe, expect, it } from "vitest";
import { createOperatorMetrics, parseListenAddress, serveMetrics, type MetricsServer } from "../../../src/metrics/index.js";

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("metrics HTTP", () => {
  it("serves the exposition with process metrics on /metrics and 404 elsewhere", async () => {
    const om = createOperatorMetrics();
    om.m.workqueueDepth.set({ name: "neojob" }, 3);
    server = await serveMetrics("127.0.0.1:0", om);
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const body = await res.text();
    expect(body).toContain('workqueue_depth{name="neojob"} 3');
    expect(body).toContain("process_resident_memory_bytes");
    expect(body).toContain("# HELP controller_runtime_reconcile_total");
    expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: "POST" })).status).toBe(405);
  });

  it("parses listen addresses like --metrics-addr", () => {
    expect(parseListenAddress(":8080")).toEqual({ host: undefined, port: 8080 });
    expect(parseListenAddress("127.0.0.1:9090")).toEqual({ host: "127.0.0.1", port: 9090 });
    expect(parseListenAddress("[::1]:80")).toEqual({ host: "::1", port: 80 });
    expect(parseListenAddress("8080")).toEqual({ host: undefined, port: 8080 });
    expect(() => parseListenAddress("localhost:http")).toThrow(/invalid listen address/);
    expect(() => parseListenAddress(":70000")).toThrow(/invalid listen address/);
  });
});
