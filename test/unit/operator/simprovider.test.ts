import { afterEach, describe, expect, it } from "vitest";
import { NeoEngineClient } from "../../../src/neoengine/index.js";
import { startNetworkServer, type NetworkServer } from "../../../src/network/index.js";
import { simulatedStdout, startSimProvider, type SimProvider } from "../../../src/simprovider/index.js";

// The simulated provider against the real reference network server over loopback.

let server: NetworkServer | undefined;
let provider: SimProvider | undefined;
afterEach(async () => {
  await provider?.stop();
  await server?.close();
  provider = undefined;
  server = undefined;
});

async function setup() {
  server = await startNetworkServer({ port: 0 });
  await server.admin.createAccount("consumer", "enterprise", "100");
  await server.admin.createAccount("seller", "enterprise");
  const consumer = new NeoEngineClient({ baseUrl: `${server.url}/v1`, token: await server.admin.createToken("consumer"), rateLimiter: false });
  provider = await startSimProvider({ neoengineUrl: server.url, token: await server.admin.createToken("seller", { provider: true }), jobDurationMs: 200, progressSteps: 2, assignmentWaitSeconds: 2 });
  return consumer;
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("simulated provider", () => {
  it("runs the seed's example job to succeeded with logs, results and a cost", async () => {
    const consumer = await setup();
    const { id } = await consumer.submitJob({ image: "python:3.11-slim", command: ["python", "-c", "print('Hello')"], resources: { cpu: 2, memory: "4Gi", gpu: 0 }, maxPrice: "1.0", timeout: "1h" });
    const job = await until(() => consumer.getJob(id), (j) => j.status === "succeeded");
    expect(job.provider).toBe(provider!.id);
    expect(Number(job.cost)).toBeGreaterThan(0);
    const results = await consumer.getJobResults(id);
    expect(results.exitCode).toBe(0);
    expect(Buffer.from(results.outputs[0]!.contentBase64!, "base64").toString()).toBe("Hello\n");
    expect(await consumer.getJobLogs(id)).toContain("neo:progress=50");
  });

  it("a job with NEO_SIM_EXIT_CODE fails with that exit code", async () => {
    const consumer = await setup();
    const { id } = await consumer.submitJob({ image: "busybox", command: ["false"], env: { NEO_SIM_EXIT_CODE: "3" }, resources: { cpu: 1, memory: "1Gi", gpu: 0 }, maxPrice: "1.0", timeout: "1h" });
    const job = await until(() => consumer.getJob(id), (j) => j.status === "failed");
    expect(job.exitCode).toBe(3);
  });

  it("prints what python -c print(...) would", () => {
    expect(simulatedStdout({ image: "python", command: ["python", "-c", "print('Hi there')"], args: [] })).toBe("Hi there\n");
    expect(simulatedStdout({ image: "busybox", command: ["true"], args: [] })).toContain("simulated run of busybox");
  });
});
