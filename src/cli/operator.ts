#!/usr/bin/env node
// neoengine-operator: the NeoJob controller and (unless --no-neoprovider-controller) the
// NeoProvider controller. Every flag has a NEOENGINE_* environment variable
// (the flag wins). Graceful shutdown on SIGTERM/SIGINT: in-flight reconciles finish, the lease
// is released so a standby replica takes over at once.
import { Command, InvalidArgumentError, Option } from "commander";
import { destination, pino } from "pino";
import { startOperator } from "../operator/manager.js";

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(",").map((s) => s.trim()).filter(Boolean)];
}

function boolEnv(value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new InvalidArgumentError(`expected true or false, got "${value}"`);
}

const program = new Command("neoengine-operator")
  .description("Kubernetes operator that runs NeoJobs on the NeoEngine compute network")
  .addOption(new Option("--kubeconfig <path>", "kubeconfig file (default: in-cluster, else $KUBECONFIG)").env("NEOENGINE_KUBECONFIG"))
  .addOption(new Option("--neoengine-url <url>", "NeoEngine network URL, e.g. https://api.neoengine.dev/v1").env("NEOENGINE_URL"))
  .addOption(new Option("--token-secret <namespace/name>", "Secret holding the default token (key \"token\", or namespace/name#key)").env("NEOENGINE_TOKEN_SECRET"))
  .addOption(new Option("--token-file <path>", "file holding the default token (re-read when it changes)").env("NEOENGINE_TOKEN_FILE"))
  .addOption(new Option("--namespace <name>", "namespace to watch (repeatable or comma-separated; all when absent)").argParser(collect))
  .addOption(new Option("--concurrency <n>", "parallel reconciles per watched namespace").argParser(positiveInt).env("NEOENGINE_CONCURRENCY").default(4))
  .addOption(new Option("--leader-elect", "use a Lease so only one replica acts").env("NEOENGINE_LEADER_ELECT"))
  .addOption(new Option("--lease-namespace <name>", "namespace of the leader-election Lease (default $POD_NAMESPACE or default)").env("NEOENGINE_LEASE_NAMESPACE"))
  .addOption(new Option("--metrics-addr <addr>", "address of /metrics (\"0\" disables)").env("NEOENGINE_METRICS_ADDR").default(":8080"))
  .addOption(new Option("--health-addr <addr>", "address of /healthz and /readyz (\"0\" disables)").env("NEOENGINE_HEALTH_ADDR").default(":8081"))
  .addOption(new Option("--poll-min-interval <ms>", "fastest status poll per credential, in ms").argParser(positiveInt).env("NEOENGINE_POLL_MIN_INTERVAL_MS"))
  .addOption(new Option("--no-neoprovider-controller", "do not run the NeoProvider controller (selling this cluster's GPU nodes)"))
  .addOption(new Option("--provider-token-secret <namespace/name>", "Secret holding the provider-scoped token for NeoProviders without credentialsSecretRef").env("NEOENGINE_PROVIDER_TOKEN_SECRET"))
  .addOption(new Option("--provider-token-file <path>", "file holding the provider-scoped token").env("NEOENGINE_PROVIDER_TOKEN_FILE"))
  .addOption(new Option("--tier <tier>", "rate-limit tier assumed until the network's headers say otherwise").choices(["free", "pro", "enterprise"]).env("NEOENGINE_TIER"))
  .showHelpAfterError();

program.parse();
const o = program.opts<{
  kubeconfig?: string;
  neoengineUrl?: string;
  tokenSecret?: string;
  tokenFile?: string;
  namespace?: string[];
  concurrency: number;
  leaderElect?: boolean | string;
  leaseNamespace?: string;
  metricsAddr: string;
  healthAddr: string;
  pollMinInterval?: number;
  tier?: "free" | "pro" | "enterprise";
  neoproviderController: boolean;
  providerTokenSecret?: string;
  providerTokenFile?: string;
}>();

const log = pino({ name: "neoengine-operator", level: process.env.NEO_LOG_LEVEL ?? "info" }, destination(2));

async function main(): Promise<void> {
  const neoengineUrl = o.neoengineUrl;
  if (!neoengineUrl) return program.error("--neoengine-url (or NEOENGINE_URL) is required", { exitCode: 2 });
  const namespaces = o.namespace ?? collect(process.env.NEOENGINE_NAMESPACE ?? "", []);
  const leaderElect = typeof o.leaderElect === "string" ? boolEnv(o.leaderElect) : o.leaderElect;
  const operator = await startOperator({
    kubeconfig: o.kubeconfig,
    neoengineUrl,
    tokenSecret: o.tokenSecret,
    tokenFile: o.tokenFile,
    namespaces,
    concurrency: o.concurrency,
    leaderElect: leaderElect ?? false,
    leaseNamespace: o.leaseNamespace,
    metricsAddr: o.metricsAddr === "0" ? false : o.metricsAddr,
    healthAddr: o.healthAddr === "0" ? false : o.healthAddr,
    pollMinIntervalMs: o.pollMinInterval,
    rateLimiter: o.tier ? { tier: o.tier } : undefined,
    neoProviders: o.neoproviderController && boolEnv(process.env.NEOENGINE_NEOPROVIDER_CONTROLLER) !== false,
    providerTokenSecret: o.providerTokenSecret,
    providerTokenFile: o.providerTokenFile,
    logger: log,
    // Test hook for the crash-safety e2e test: SIGKILL right after POST /jobs answered.
    crashAfterSubmit: process.env.NEO_TEST_CRASH_AFTER_SUBMIT === "1",
  });
  log.info({ identity: operator.identity, metricsPort: operator.metricsPort, healthPort: operator.healthPort }, "neoengine-operator started");
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    signalled = true;
    log.info({ signal }, "graceful shutdown");
    const force = setTimeout(() => {
      log.error("shutdown took longer than 30 s: exiting");
      process.exit(1);
    }, 30_000);
    force.unref();
    operator.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: String(err) }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((err: unknown) => {
  log.error({ err: err instanceof Error ? err.message : String(err) }, "neoengine-operator failed to start");
  process.exit(1);
});
