import { createHash } from "node:crypto";
import { apiBaseUrl, isNeoEngineError, NeoEngineClient, type Assignment, type RegisterProviderRequest, type RetryOptions } from "../neoengine/index.js";

// A simulated NeoEngine provider that speaks the provider protocol through the typed client:
// it registers, heartbeats, long-polls its assignments, and "runs" each job — reporting
// running, progress (as a job's `neo:progress=N` lines would), logs, then results with an exit
// code. No container runs. The e2e tests and the demo use it as the other side of the market.
//
// A job can steer its simulation through its own env (handy in NeoJob manifests):
//   NEO_SIM_EXIT_CODE=<n>     exit code (default 0; non-zero → the job fails)
//   NEO_SIM_DURATION_MS=<ms>  run time (default: the provider's jobDurationMs)

export interface SimProviderOptions {
  /** Network URL, with or without /v1. */
  neoengineUrl: string;
  /** A provider-scoped token. */
  token: string;
  name?: string;
  region?: string;
  resources?: RegisterProviderRequest["resources"];
  prices?: RegisterProviderRequest["prices"];
  /** How long a simulated job runs. Default 3 s. */
  jobDurationMs?: number;
  /** Progress reports per job (evenly spread). Default 4. */
  progressSteps?: number;
  /** Heartbeat period; default half the network's heartbeat timeout. */
  heartbeatMs?: number;
  /** Long-poll wait in seconds. Default 10. */
  assignmentWaitSeconds?: number;
  /** Overrides the exit code decision (default: the job's NEO_SIM_EXIT_CODE, else 0). */
  exitCode?: (assignment: Assignment) => number;
  retry?: RetryOptions;
  log?: (msg: string) => void;
}

export interface SimProvider {
  readonly id: string;
  readonly name: string;
  /** Job ids finished so far (reported results). */
  readonly finished: string[];
  /** Job ids currently running. */
  running(): string[];
  stop(): Promise<void>;
}


function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** What `python -c "print('x')"` would print; a generic line otherwise. */
export function simulatedStdout(a: Pick<Assignment, "image" | "command" | "args">): string {
  const argv = [...a.command, ...a.args];
  const code = argv[argv.indexOf("-c") + 1];
  const printed = code ? /^print\((['"])(.*)\1\)$/.exec(code.trim())?.[2] : undefined;
  return printed !== undefined ? `${printed}\n` : `simulated run of ${a.image} ${argv.join(" ")}\n`;
}

export async function startSimProvider(opts: SimProviderOptions): Promise<SimProvider> {
  const log = opts.log ?? (() => {});
  const client = new NeoEngineClient({
    baseUrl: apiBaseUrl(opts.neoengineUrl),
    token: opts.token,
    rateLimiter: false, // provider tokens have their own (large) limits; the server still enforces them
    retry: opts.retry ?? { maxAttempts: 3 },
  });
  const name = opts.name ?? `sim-provider-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
  const provider = await client.registerProvider({
    name,
    region: opts.region ?? "sim-local",
    resources: opts.resources ?? { cpu: 64, memory: "256Gi", gpu: 8, gpuModel: "nvidia-a100", gpuMemory: "80Gi" },
    prices: opts.prices ?? { cpu: "0.01", memory: "0.005", gpu: "0.5" },
  });
  const id = provider.id;
  log(`registered ${name} as ${id}`);
  const stopAll = new AbortController();
  const jobs = new Map<string, AbortController>();
  const finished: string[] = [];
  const duration = opts.jobDurationMs ?? 3000;
  const steps = Math.max(1, opts.progressSteps ?? 4);

  const first = await client.heartbeat(id, {});
  const heartbeatMs = opts.heartbeatMs ?? Math.max(500, (first.heartbeatTimeoutSeconds * 1000) / 3);

  const heartbeats = (async () => {
    while (!stopAll.signal.aborted) {
      await sleep(heartbeatMs, stopAll.signal);
      if (stopAll.signal.aborted) break;
      await client.heartbeat(id, {}).catch((err: unknown) => log(`heartbeat failed: ${String((err as Error).message)}`));
    }
  })();

  const runJob = async (a: Assignment, signal: AbortSignal): Promise<void> => {
    const env = a.env ?? {};
    const exitCode = opts.exitCode ? opts.exitCode(a) : Number(env.NEO_SIM_EXIT_CODE ?? 0) || 0;
    const ms = Number(env.NEO_SIM_DURATION_MS ?? duration) || duration;
    try {
      if (a.status !== "running") await client.postJobEvent(a.jobId, { status: "running", progress: 0 }, { signal });
      await client.appendJobLogs(a.jobId, `starting ${a.image}\n`, { signal });
      for (let i = 1; i <= steps; i++) {
        await sleep(ms / steps, signal);
        if (signal.aborted) return;
        const progress = i === steps ? 100 : Math.round((100 * i) / steps);
        if (i < steps) {
          await client.appendJobLogs(a.jobId, `neo:progress=${progress}\n`, { signal });
          await client.postJobEvent(a.jobId, { progress }, { signal });
        }
      }
      const stdout = simulatedStdout(a);
      await client.appendJobLogs(a.jobId, stdout, { signal });
      const content = Buffer.from(stdout);
      await client.putJobResults(
        a.jobId,
        {
          exitCode,
          message: exitCode === 0 ? "completed" : `exited with code ${exitCode}`,
          outputs: [{ name: "stdout.txt", sizeBytes: content.length, sha256: createHash("sha256").update(content).digest("hex"), contentBase64: content.toString("base64") }],
        },
        { signal },
      );
      finished.push(a.jobId);
      log(`job ${a.jobId} finished with exit code ${exitCode}`);
    } catch (err) {
      if (signal.aborted) return;
      // The job was cancelled or taken away meanwhile (409/404): nothing more to report.
      if (isNeoEngineError(err) && (err.code === "CONFLICT" || err.code === "NOT_FOUND" || err.code === "FORBIDDEN")) return;
      log(`job ${a.jobId}: ${String((err as Error).message)}`);
    } finally {
      jobs.delete(a.jobId);
    }
  };

  const assignments = (async () => {
    let since: number | undefined;
    let failures = 0;
    while (!stopAll.signal.aborted) {
      try {
        const res = await client.getAssignments(id, { wait: opts.assignmentWaitSeconds ?? 10, since, signal: stopAll.signal });
        failures = 0;
        since = res.version;
        const wanted = new Set(res.assignments.map((a) => a.jobId));
        for (const [jobId, ctl] of jobs) if (!wanted.has(jobId)) ctl.abort(); // cancelled or timed out
        for (const a of res.assignments) {
          if (jobs.has(a.jobId) || finished.includes(a.jobId)) continue;
          const ctl = new AbortController();
          jobs.set(a.jobId, ctl);
          const signal = AbortSignal.any([ctl.signal, stopAll.signal]);
          void runJob(a, signal);
        }
      } catch (err) {
        if (stopAll.signal.aborted) break;
        failures++;
        log(`assignments failed: ${String((err as Error).message)}`);
        await sleep(Math.min(10_000, 250 * 2 ** failures), stopAll.signal);
      }
    }
  })();

  return {
    id,
    name,
    finished,
    running: () => [...jobs.keys()],
    async stop() {
      stopAll.abort();
      await Promise.allSettled([heartbeats, assignments]);
      await client.deregisterProvider(id).catch(() => undefined);
      await client.close();
    },
  };
}
