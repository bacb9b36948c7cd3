// Resilience: the network server stopped for 30 s, and a storm of 429s. Every NeoJob converges
// afterwards, and the operator backs off instead of hot-looping (requests are counted).
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { onTestFinished, describe, expect, it } from "vitest";
import { startNetworkServer } from "../../src/network/index.js";
import { createNeoJob, neoJobManifest, neoJobWorld, waitForNeoJob } from "./neojob-harness.js";

/** A pass-through HTTP proxy in front of the network that can answer 429 to everything. */
async function stormProxy(target: string) {
  const state = { storm: false, forwarded: 0, refused: 0 };
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    if (state.storm) {
      state.refused++;
      req.resume();
      res.writeHead(429, { "content-type": "application/json", "retry-after": "2" });
      res.end(JSON.stringify({ error: { code: "RATE_LIMITED", message: "rate limit exceeded (storm)", details: {} } }));
      return;
    }
    state.forwarded++;
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => res.writeHead(502).end());
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  onTestFinished(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, state };
}

const succeeded = (name: string) => [name, (j: { status?: { phase?: string } }) => j.status?.phase === "Succeeded", "Succeeded"] as const;

describe("NeoJob resilience", () => {
  it("the network stopped for 30 s: NeoJobs created before and during the outage all succeed, without a hot loop", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "neo-net-")), "network.db");
    let attempts = 0;
    const world = await neoJobWorld({
      network: { db },
      jobDurationMs: 4000,
      operator: { onRequest: () => attempts++ },
    });
    const port = world.network.port;
    // backoffLimit: the restarted network may declare the provider lost (its heartbeats stopped
    // reaching the network during the outage) and fail the running jobs; they are resubmitted.
    const spec = { backoffLimit: 2 };
    for (const name of ["before-1", "before-2"]) await createNeoJob(world, neoJobManifest(name, spec));
    for (const name of ["before-1", "before-2"]) await waitForNeoJob(world, name, (j) => j.status?.phase === "Running", "Running");

    await world.network.close();
    const attemptsAtStop = attempts;
    for (const name of ["during-1", "during-2", "during-3"]) await createNeoJob(world, neoJobManifest(name, spec));
    await sleep(30_000); // the outage itself (not a synchronisation)
    const outageAttempts = attempts - attemptsAtStop;

    const revived = await startNetworkServer({ db, port, schedulerIntervalMs: 200 });
    onTestFinished(() => revived.close());
    let attemptsTotal = 0;
    for (const name of ["before-1", "before-2", "during-1", "during-2", "during-3"]) {
      const [n, cond, what] = succeeded(name);
      attemptsTotal += (await waitForNeoJob(world, n, cond, what, 90_000)).status?.attempts ?? 0;
    }
    // 5 NeoJobs, 30 s: the poller and the reconciles back off exponentially (each client call
    // retries a few times). A hot loop would make thousands of attempts in that time.
    console.log(`[outage] ${outageAttempts} NeoEngine attempts in 30 s of outage for 5 NeoJobs`);
    expect(outageAttempts).toBeGreaterThan(0);
    expect(outageAttempts).toBeLessThan(400);
    // One remote job per attempt: nothing was submitted twice, whatever the retries.
    expect(await revived.admin.countJobs({ account: "alice" })).toBe(attemptsTotal);
    console.log(`[outage] ${attemptsTotal} attempts for 5 NeoJobs`);
  }, 180_000);

  it("a 429 storm: requests back off (counted at the server side of a proxy) and every NeoJob converges", async () => {
    const world = await neoJobWorld({ operator: false, jobDurationMs: 2000 });
    const proxy = await stormProxy(world.network.url);
    const { startOperator } = await import("../../src/operator/index.js");
    const { kubeConfig } = await import("../helpers/cluster.js");
    const operator = await startOperator({
      kubeconfig: kubeConfig(),
      neoengineUrl: proxy.url,
      token: world.consumerToken,
      namespaces: [world.ns],
      metricsAddr: false,
      healthAddr: false,
      pollMinIntervalMs: 300,
    });
    onTestFinished(() => operator.stop());
    await operator.synced;
    await createNeoJob(world, neoJobManifest("calm"));
    await waitForNeoJob(world, "calm", (j) => j.status?.phase === "Running", "Running");

    proxy.state.storm = true;
    for (const name of ["storm-1", "storm-2", "storm-3", "storm-4"]) await createNeoJob(world, neoJobManifest(name));
    await sleep(20_000); // the storm itself
    proxy.state.storm = false;
    const refused = proxy.state.refused;
    for (const name of ["calm", "storm-1", "storm-2", "storm-3", "storm-4"]) {
      const [n, cond, what] = succeeded(name);
      await waitForNeoJob(world, n, cond, what, 90_000);
    }
    // Retry-After is 2 s: honouring it, 5 NeoJobs cannot reasonably need more than a few per second.
    console.log(`[storm] ${refused} requests answered 429 in 20 s for 5 NeoJobs`);
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(100);
    expect(await world.network.admin.countJobs({ account: "alice" })).toBe(5);
  }, 180_000);
});
