import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger as PinoLogger } from "pino";
import type { KubeConnection } from "../kube/index.js";
import type { OperatorMetrics } from "../metrics/index.js";
import type { NeoProviderOptions } from "../controllers/neoprovider/index.js";
import type { RateLimiterOptions, RequestEvent, RetryOptions } from "../neoengine/index.js";

/** Options of startOperator(); the CLI flags and NEOENGINE_* variables map onto these. */
export interface OperatorOptions {
  /**
   * A kubeconfig path, a loaded KubeConnection (loadKubeConnection) or a client-node KubeConfig;
   * else in-cluster, else $KUBECONFIG / ~/.kube/config.
   */
  kubeconfig?: string | KubeConnection | KubeConfig;
  /** NeoEngine network URL (with or without the /v1 suffix). */
  neoengineUrl: string;
  /** Default token, given directly (in-process use: demo, tests). Never logged. */
  token?: string;
  /** Default token from a Secret: "<namespace>/<name>" (key "token") or "<namespace>/<name>#<key>". */
  tokenSecret?: string;
  /** Default token from a file (re-read when it changes). */
  tokenFile?: string;
  /** Namespaces to watch; all when empty or absent. */
  namespaces?: string[];
  /** Parallel reconciles per namespace watched. Default 4. */
  concurrency?: number;
  /** Lease-based leader election (for more than one replica). Default false. */
  leaderElect?: boolean;
  /** Lease location; default namespace $POD_NAMESPACE or "default", name "neoengine-operator". */
  leaseNamespace?: string;
  leaseName?: string;
  /** Identity in the lease and in Events; default hostname + pid. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** "host:port", ":port" or "port"; false disables. Default ":8080". */
  metricsAddr?: string | false;
  /** Default ":8081"; false disables. */
  healthAddr?: string | false;
  /** Fastest status poll per credential. Default 2 s. */
  pollMinIntervalMs?: number;
  /** How long a token read from a Secret is cached (rotation lag). Default 10 s. */
  secretRefreshMs?: number;
  /** Client-side limiter defaults (tier etc.); the server's headers correct them. */
  rateLimiter?: RateLimiterOptions;
  retry?: RetryOptions;
  metrics?: OperatorMetrics;
  logger?: PinoLogger;
  /** Test hook (NEO_TEST_CRASH_AFTER_SUBMIT=1): SIGKILL this process right after POST /jobs answered. */
  crashAfterSubmit?: boolean;
  /**
   * Run the NeoProvider controller (sell this cluster's GPU nodes) in this process, leader-only.
   * Default false here; the CLI turns it on unless --no-neoprovider-controller.
   */
  neoProviders?: boolean;
  /** Provider-scoped default token for NeoProviders without credentialsSecretRef (consumer tokens get 403). */
  providerToken?: string;
  /** Secret holding it: "<namespace>/<name>" (key "token") or "<namespace>/<name>#<key>". */
  providerTokenSecret?: string;
  providerTokenFile?: string;
  /** Options of the NeoProvider controller (tolerations, intervals, ...). */
  providerOptions?: Partial<NeoProviderOptions>;
  /** Wallet balance and market prices for the metrics, polled with the default token. Default 30 min; false disables. */
  walletPollIntervalMs?: number | false;
  /** Sees every NeoEngine request (benchmarks and tests count them). */
  onRequest?: (event: RequestEvent & { credential: string }) => void;
}
