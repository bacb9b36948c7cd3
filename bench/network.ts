// `npm run bench -- network`: throughput and latency of the reference network server for
// GET /v1/jobs/{id} and POST /v1/jobs (no provider online, so submitted jobs stay pending).
// The server runs in this process on an in-memory database; autocannon runs in a worker
// thread so the load generator does not share the server's event loop (it still shares the
// machine's cores).
import { createRequire } from "node:module";
import { pino } from "pino";
import { startNetworkServer } from "../src/network/index.js";

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  "2xx": number;
  duration: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const DURATION_S = Number(process.env.NEO_BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.NEO_BENCH_CONNECTIONS ?? 16);

function summary(r: AutocannonResult) {
  return {
    requestsPerSecond: Math.round(r.requests.average),
    requestsTotal: r.requests.total,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, avg: Number(r.latency.average.toFixed(2)), max: r.latency.max },
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const server = await startNetworkServer({ db: ":memory:", logger: pino({ level: "warn" }) });
  try {
    // enterprise limits far above what the bench sends, so nothing is rate limited
    await server.admin.createAccount("bench", "enterprise", "1000000000", { perMinute: 10_000_000, perDay: 100_000_000 });
    const token = await server.admin.createToken("bench");
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const body = JSON.stringify({
      image: "python:3.11-slim",
      command: ["python", "-c", "print('Hello')"],
      resources: { cpu: 2, memory: "4Gi", gpu: 0 },
      maxPrice: "0.01",
      timeout: "1m",
    });
    const first = await fetch(`${server.url}/v1/jobs`, { method: "POST", headers, body });
    const { id } = (await first.json()) as { id: string };

    const common = { connections: CONNECTIONS, duration: DURATION_S, workers: 1, headers };
    // short warm-up so JIT and statement caches are hot before measuring
    await autocannon({ ...common, url: `${server.url}/v1/jobs/${id}`, duration: 2 });
    const get = await autocannon({ ...common, url: `${server.url}/v1/jobs/${id}`, method: "GET" });
    const post = await autocannon({ ...common, url: `${server.url}/v1/jobs`, method: "POST", body });
    const jobs = await server.admin.countJobs();
    return {
      setup: { connections: CONNECTIONS, durationSeconds: DURATION_S, database: ":memory:", loadGenerator: "autocannon (worker thread, same machine)" },
      getJob: summary(get),
      postJob: summary(post),
      jobsCreated: jobs,
      goals: { getPerSecond: 3000, postPerSecond: 500, p99Ms: 50 },
      met: {
        get: get.requests.average >= 3000 && get.latency.p99 < 50,
        post: post.requests.average >= 500 && post.latency.p99 < 50,
      },
    };
  } finally {
    await server.close();
  }
}
