// A real Prometheus (Debian's `prometheus` package) on 127.0.0.1 with a temporary config, for
// the e2e test that scrapes the operator and for rendering dashboard panels to PNG.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

export interface PrometheusOptions {
  /** host:port targets of the scrape job. */
  targets: string[];
  job?: string;
  ruleFiles?: string[];
  scrapeInterval?: string;
  evaluationInterval?: string;
  binary?: string;
}

export interface PromSeries {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

export interface PromResult {
  status: "success" | "error";
  error?: string;
  errorType?: string;
  data?: { resultType: string; result: PromSeries[] };
}

export interface RunningPrometheus {
  url: string;
  query(expr: string, timeSec?: number): Promise<PromResult>;
  queryRange(expr: string, startSec: number, endSec: number, stepSec: number): Promise<PromResult>;
  /** GET an API path (e.g. /api/v1/rules) as JSON. */
  api<T = unknown>(path: string): Promise<T>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "neo-prometheus-"));
  const port = await freePort();
  const config = {
    global: { scrape_interval: opts.scrapeInterval ?? "1s", evaluation_interval: opts.evaluationInterval ?? "1s" },
    rule_files: opts.ruleFiles ?? [],
    scrape_configs: [{ job_name: opts.job ?? "neoengine-operator", static_configs: [{ targets: opts.targets }] }],
  };
  writeFileSync(join(dir, "prometheus.yml"), stringify(config));
  const child = spawn(
    opts.binary ?? "prometheus",
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=2h",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-8000);
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once("error", (err) =>
      reject(
        (err as NodeJS.ErrnoException).code === "ENOENT"
          ? new Error("prometheus not found: apt-get install -y --no-install-recommends prometheus")
          : err,
      ),
    );
    child.once("exit", (code) => reject(new Error(`prometheus exited with ${code}:\n${stderr}`)));
  });
  spawnError.catch(() => undefined);
  // Never leave a Prometheus behind, also when the test process dies early.
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await Promise.race([
      fetch(`${url}/-/ready`).then((r) => r.ok, () => false),
      spawnError,
    ]);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`prometheus not ready within 60 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    return (await res.json()) as T;
  };
  return {
    url,
    api,
    query: (expr, timeSec) => api<PromResult>(`/api/v1/query?query=${encodeURIComponent(expr)}${timeSec !== undefined ? `&time=${timeSec}` : ""}`),
    queryRange: (expr, start, end, step) =>
      api<PromResult>(`/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${start}&end=${end}&step=${step}`),
    close: async () => {
      process.off("exit", onExit);
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
