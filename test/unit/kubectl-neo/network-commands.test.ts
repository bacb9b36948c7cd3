// The market and wallet commands against the REAL reference network server over loopback, with
// the URL and token given by flag or environment (no cluster involved): what a person sees, the
// JSON a script gets, NeoEngine errors with code and message, and the withdraw confirmation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NeoEngineClient } from "../../../src/neoengine/index.js";
import { startNetworkServer, type NetworkServer } from "../../../src/network/index.js";
import { neo } from "./helpers.js";

describe("kubectl neo against the reference network", () => {
  let server: NetworkServer;
  let serverNow = Date.UTC(2026, 0, 15, 12, 0, 0);
  let consumerEnv: Record<string, string>;
  let providerEnv: Record<string, string>;
  let providerId = "";

  beforeAll(async () => {
    server = await startNetworkServer({ now: () => serverNow, schedulerIntervalMs: 0, heartbeatTimeoutMs: 24 * 3_600_000 });
    await server.admin.createAccount("alice", "pro", "100");
    await server.admin.createAccount("gpu-co", "pro", "0");
    const consumerToken = await server.admin.createToken("alice");
    const providerToken = await server.admin.createToken("gpu-co", { provider: true });
    consumerEnv = { NEOENGINE_URL: server.url, NEOENGINE_TOKEN: consumerToken };
    providerEnv = { NEOENGINE_URL: `${server.url}/v1`, NEOENGINE_TOKEN: providerToken };

    // A provider with one A100 that runs one job for 30 minutes, so there are prices and earnings.
    const provider = new NeoEngineClient({ baseUrl: `${server.url}/v1`, token: providerToken });
    const consumer = new NeoEngineClient({ baseUrl: `${server.url}/v1`, token: consumerToken });
    const p = await provider.registerProvider({
      name: "node-a100-1",
      region: "eu-west",
      resources: { cpu: 8, memory: "32Gi", gpu: 1, gpuModel: "nvidia-a100", gpuMemory: "80Gi" },
      prices: { cpu: "0.02", memory: "0.01", gpu: "0.75" },
    });
    providerId = p.id;
    await provider.heartbeat(providerId, { free: { cpu: 8, memory: "32Gi", gpu: 1 } });
    const job = await consumer.submitJob({
      image: "python:3.11-slim",
      command: ["python", "-c", "print('Hello')"],
      resources: { cpu: 2, memory: "4Gi", gpu: 0 },
      maxPrice: "1.0",
      timeout: "1h",
    });
    const assigned = await provider.getAssignments(providerId, { wait: 5 });
    expect(assigned.assignments.map((a) => a.jobId)).toEqual([job.id]);
    await provider.postJobEvent(job.id, { status: "running" });
    serverNow += 30 * 60_000;
    await provider.heartbeat(providerId, { free: { cpu: 8, memory: "32Gi", gpu: 1 } });
    await provider.putJobResults(job.id, { exitCode: 0, message: "ok", outputs: [] });
    await Promise.all([provider.close(), consumer.close()]);
  });

  afterAll(async () => {
    await server?.close();
  });

  it("providers: a table with GPUs, prices and reputation; filters; -o json", async () => {
    const r = await neo(["providers", "--gpu", "--min-reputation", "100"], { env: consumerEnv });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [header, row, ...rest] = r.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^ID\s+NAME\s+STATE\s+GPUS\s+GPU\/H\s+CPU\/H\s+GIB\/H\s+REPUTATION\s+JOBS$/);
    expect(rest).toEqual([]);
    expect(row!.split(/\s{3,}/)).toEqual([providerId, "node-a100-1", "online", "1xnvidia-a100", "0.75", "0.02", "0.01", expect.stringMatching(/^\d+$/), "1"]);

    const none = await neo(["providers", "--min-reputation", "1000"], { env: consumerEnv });
    expect([none.code, none.stdout, none.stderr]).toEqual([0, "", "No providers match.\n"]);

    const wide = await neo(["providers", "-o", "wide"], { env: consumerEnv });
    expect(wide.stdout.split("\n")[0]).toContain("REGION");
    expect(wide.stdout).toContain("eu-west");

    const json = await neo(["providers", "-o", "json"], { env: consumerEnv });
    expect(JSON.parse(json.stdout).providers).toEqual([expect.objectContaining({ id: providerId, name: "node-a100-1" })]);
  });

  it("prices: min/avg/max per resource and GPU model, as a table and as JSON", async () => {
    const r = await neo(["prices"], { env: consumerEnv });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").map((l) => l.split(/\s{3,}/))).toEqual([
      ["RESOURCE", "UNIT", "MIN", "AVG", "MAX"],
      ["cpu", "core-hour", "0.02", "0.02", "0.02"],
      ["memory", "GiB-hour", "0.01", "0.01", "0.01"],
      ["gpu/nvidia-a100", "device-hour", "0.75", "0.75", "0.75"],
      [""],
    ]);
    const json = await neo(["prices", "-o", "json"], { env: consumerEnv });
    expect(JSON.parse(json.stdout).gpu).toEqual({ "nvidia-a100": { min: 0.75, avg: 0.75, max: 0.75 } });
  });

  it("stats: providers, GPUs, jobs and volume", async () => {
    const r = await neo(["stats"], { env: consumerEnv });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Providers online:\s+1 of 1$/m);
    expect(r.stdout).toMatch(/^GPUs free:\s+1 of 1$/m);
    expect(r.stdout).toMatch(/^Jobs:\s+.*succeeded 1/m);
    expect(r.stdout).toMatch(/^Volume \(24h\):\s+0\.04 credits$/m);
    const yaml = await neo(["stats", "-o", "yaml"], { env: consumerEnv });
    expect(yaml.stdout).toMatch(/^providersOnline: 1$/m);
  });

  it("wallet: the consumer's balance after paying, the provider's earnings", async () => {
    const consumer = await neo(["wallet"], { env: consumerEnv });
    expect(consumer.code).toBe(0);
    expect(consumer.stdout).toMatch(/^Available:\s+99\.96 credits$/m);
    expect(consumer.stdout).toMatch(/^Escrowed:\s+0 credits$/m);
    const provider = await neo(["wallet", "-o", "json"], { env: providerEnv });
    expect(provider.code, provider.stderr).toBe(0);
    expect(JSON.parse(provider.stdout).earnings).toMatchObject({ available: "0.040000", total: "0.040000" });
  });

  it("withdraw asks first: 'n' or no answer withdraws nothing; 'y' and --yes withdraw", async () => {
    const declined = await neo(["withdraw", "0.01", "--destination", "acct-1"], { env: providerEnv, stdin: "n\n" });
    expect(declined.code).toBe(2);
    expect(declined.stderr).toContain("Withdraw 0.01 credits to acct-1 (earnings available: 0.04 credits)? [y/N]");
    expect(declined.stderr).toContain("nothing was withdrawn");
    const silent = await neo(["withdraw", "0.01"], { env: providerEnv });
    expect(silent.code).toBe(2);
    expect(silent.stderr).toContain("pass --yes");

    const confirmed = await neo(["withdraw", "0.01"], { env: providerEnv, stdin: "y\n" });
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stdout).toMatch(/^Amount:\s+0\.01 credits$/m);
    const yes = await neo(["withdraw", "0.005", "--yes", "-o", "json"], { env: providerEnv });
    expect(yes.code, yes.stderr).toBe(0);
    expect(JSON.parse(yes.stdout)).toMatchObject({ amount: "0.005000" });
    const after = await neo(["wallet", "-o", "json"], { env: providerEnv });
    expect(JSON.parse(after.stdout).earnings).toMatchObject({ available: "0.025000", withdrawn: "0.015000" });
  });

  it("NeoEngine errors are shown with their code and message, exit 3", async () => {
    const tooMuch = await neo(["withdraw", "5", "--yes"], { env: providerEnv });
    expect(tooMuch.code).toBe(3);
    expect(tooMuch.stderr).toMatch(/^error: NeoEngine INSUFFICIENT_FUNDS \(HTTP 402\): .+/m);
    const badToken = await neo(["wallet"], { env: { ...consumerEnv, NEOENGINE_TOKEN: "neo_not_a_real_token" } });
    expect(badToken.code).toBe(3);
    expect(badToken.stderr).toMatch(/^error: NeoEngine UNAUTHORIZED \(HTTP 401\): .+/m);
    expect(badToken.stderr).toContain("hint: the token was refused");
    expect(badToken.stderr).not.toContain("neo_not_a_real_token");
    // Flags win over the environment.
    const flagged = await neo(["prices", "--token", consumerEnv.NEOENGINE_TOKEN!], { env: { ...consumerEnv, NEOENGINE_TOKEN: "wrong" } });
    expect(flagged.code, flagged.stderr).toBe(0);
    const down = await neo(["stats", "--neoengine-url", "http://127.0.0.1:1", "--token", "t"]);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain("NeoEngine NETWORK_ERROR");
  });
});
