import { execFile } from "node:child_process";
import { isAbsolute, resolve } from "node:path";
import type { AuthMaterial, AuthSource } from "./connection.js";

// kubeconfig exec plugins (client.authentication.k8s.io v1 / v1beta1): run the command, read an
// ExecCredential from its stdout, use status.token or the client certificate in it, and cache it
// until status.expirationTimestamp (for good when absent). After a 401 the plugin runs again.
// Neither stdout nor the credential ever goes into an error message.

export const EXEC_API_VERSIONS = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];

export interface ExecConfig {
  apiVersion: string;
  command: string;
  args?: string[];
  env?: Array<{ name: string; value: string }> | null;
  installHint?: string;
  /** Pass the cluster (server, CA, ...) to the plugin in KUBERNETES_EXEC_INFO. */
  provideClusterInfo?: boolean;
}

/** The cluster as an exec plugin sees it (ExecCredential spec.cluster). */
export interface ExecClusterInfo {
  server: string;
  tlsServerName?: string;
  insecureSkipTLSVerify?: boolean;
  certificateAuthorityData?: string;
  proxyURL?: string;
  config?: unknown;
}

export interface ExecCredentialOptions {
  /** Directory of the kubeconfig: a command given as a relative path with a slash is resolved against it. */
  dir?: string;
  now?: () => number;
  /** Renew this long before expirationTimestamp. Default 10 s. */
  expirySkewMs?: number;
  /** Kill a plugin that runs longer. Default 60 s. */
  timeoutMs?: number;
  /** Sent to the plugin when the config asks for it (provideClusterInfo). */
  cluster?: ExecClusterInfo;
}

interface ExecCredentialStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

function run(cfg: ExecConfig, command: string, timeoutMs: number, cluster: ExecClusterInfo | undefined): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const e of cfg.env ?? []) env[e.name] = e.value;
  // Never interactive: the operator has no terminal to ask a person on.
  const spec = { interactive: false, ...(cfg.provideClusterInfo && cluster ? { cluster } : {}) };
  env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion: cfg.apiVersion, kind: "ExecCredential", spec });
  return new Promise((resolvePromise, reject) => {
    execFile(command, cfg.args ?? [], { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const detail = String(stderr).trim().slice(0, 500);
        const hint = (err as NodeJS.ErrnoException).code === "ENOENT" && cfg.installHint ? ` (${cfg.installHint.trim()})` : "";
        reject(new Error(`exec credential plugin ${cfg.command} failed: ${err.message.split("\n")[0]}${detail ? ` (stderr: ${detail})` : ""}${hint}`));
      } else resolvePromise(String(stdout));
    });
  });
}

export function parseExecCredential(stdout: string, cfg: ExecConfig): ExecCredentialStatus {
  let parsed: { apiVersion?: unknown; kind?: unknown; status?: ExecCredentialStatus };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    throw new Error(`exec credential plugin ${cfg.command} did not print ExecCredential JSON`);
  }
  if (parsed?.kind !== "ExecCredential") throw new Error(`exec credential plugin ${cfg.command}: output is not kind ExecCredential`);
  if (parsed.apiVersion !== cfg.apiVersion) {
    throw new Error(`exec credential plugin ${cfg.command}: output apiVersion ${String(parsed.apiVersion)}, expected ${cfg.apiVersion}`);
  }
  const status = parsed.status ?? {};
  const hasCert = Boolean(status.clientCertificateData && status.clientKeyData);
  if (!status.token && !hasCert) throw new Error(`exec credential plugin ${cfg.command}: status has neither a token nor a client certificate and key`);
  if (status.expirationTimestamp !== undefined && Number.isNaN(Date.parse(status.expirationTimestamp))) {
    throw new Error(`exec credential plugin ${cfg.command}: invalid status.expirationTimestamp`);
  }
  return status;
}

export function execCredential(cfg: ExecConfig, opts: ExecCredentialOptions = {}): AuthSource {
  if (!EXEC_API_VERSIONS.includes(cfg.apiVersion)) throw new Error(`exec plugin apiVersion ${cfg.apiVersion} is not supported`);
  if (!cfg.command) throw new Error("exec plugin without a command");
  const now = opts.now ?? Date.now;
  const skew = opts.expirySkewMs ?? 10_000;
  // kubectl: a relative command containing a path separator is relative to the kubeconfig's directory.
  const command = !isAbsolute(cfg.command) && cfg.command.includes("/") && opts.dir ? resolve(opts.dir, cfg.command) : cfg.command;
  let cached: { material: AuthMaterial; expiresAt: number } | undefined;
  let running: Promise<AuthMaterial> | undefined;

  const refresh = async (): Promise<AuthMaterial> => {
    const status = parseExecCredential(await run(cfg, command, opts.timeoutMs ?? 60_000, opts.cluster), cfg);
    const material: AuthMaterial = status.token
      ? { headers: { Authorization: `Bearer ${status.token}` } }
      : { headers: {}, cert: status.clientCertificateData, key: status.clientKeyData };
    const expiresAt = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) - skew : Infinity;
    cached = { material, expiresAt };
    return material;
  };

  return {
    get() {
      if (cached && now() < cached.expiresAt) return Promise.resolve(cached.material);
      // One plugin run at a time, shared by every request waiting for it.
      running ??= refresh().finally(() => (running = undefined));
      return running;
    },
    invalidate() {
      cached = undefined;
      return true;
    },
  };
}
