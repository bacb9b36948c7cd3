// Where the plugin finds the NeoEngine URL and token, in this order:
//   1. --neoengine-url / --token flags;
//   2. NEOENGINE_URL / NEOENGINE_TOKEN environment variables;
//   3. for commands about one NeoJob (logs, results, cancel, run): the token of the NeoJob's own
//      spec.credentialsSecretRef (read from the NeoJob's namespace, like the operator does);
//   4. the operator's token Secret (--token-secret <namespace>/<name>, NEOENGINE_TOKEN_SECRET,
//      default neoengine-system/neoengine-token) with keys `token` and `url`.
// The token is never printed: `source` names where it came from, not what it is.

import type { NeoJob } from "../../api/index.js";
import { statusCodeOf } from "../../kube/client/errors.js";
import { Resources } from "../../kube/client/resource.js";
import { CliError, apiError, usageError } from "./errors.js";
import type { Cluster } from "./kube/cluster.js";
import { explainKubeError } from "./kube/neojobs.js";

export const DEFAULT_TOKEN_SECRET = { namespace: "neoengine-system", name: "neoengine-token" } as const;
export const TOKEN_SECRET_KEYS = { token: "token", url: "url" } as const;

export interface CredentialFlags {
  neoengineUrl?: string;
  token?: string;
  tokenSecret?: string;
}

export interface Credentials {
  url: string;
  token: string;
  /** Non-secret description of where the token came from, e.g. "secret neoengine-system/neoengine-token". */
  source: string;
}

export interface SecretRef {
  namespace: string;
  name: string;
}

export function parseSecretRef(value: string, flag = "--token-secret"): SecretRef {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(value);
  if (!match) throw usageError(`${flag} must be <namespace>/<name>, got "${value}"`);
  return { namespace: match[1]!, name: match[3]! };
}

export function operatorSecretRef(flags: CredentialFlags, env: Record<string, string | undefined>): SecretRef {
  const value = flags.tokenSecret ?? env.NEOENGINE_TOKEN_SECRET;
  return value ? parseSecretRef(value) : { ...DEFAULT_TOKEN_SECRET };
}

/** Reads a Secret's string data; undefined when it does not exist. */
export async function readSecret(cluster: Cluster, ref: SecretRef): Promise<Record<string, string> | undefined> {
  let secret: { data?: Record<string, string>; stringData?: Record<string, string> };
  try {
    secret = await cluster.client.get(Resources.secret, ref);
  } catch (error) {
    if (statusCodeOf(error) === 404) return undefined;
    throw await explainKubeError(cluster, error, `read secret ${ref.namespace}/${ref.name}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, "base64").toString("utf8").trim();
  return out;
}

export interface ResolveOptions {
  flags: CredentialFlags;
  env: Record<string, string | undefined>;
  /** Connects lazily: commands that get everything from flags/env never need a cluster. */
  cluster: () => Cluster;
  /** The NeoJob whose credentials to use (logs, results, cancel). */
  job?: NeoJob;
}

export async function resolveCredentials(opts: ResolveOptions): Promise<Credentials> {
  const { flags, env } = opts;
  let url = nonEmpty(flags.neoengineUrl) ?? nonEmpty(env.NEOENGINE_URL);
  let token = nonEmpty(flags.token) ?? nonEmpty(env.NEOENGINE_TOKEN);
  let source = flags.token ? "--token" : token ? "NEOENGINE_TOKEN" : "";
  if (url && token) return { url: checkUrl(url), token, source };

  const jobRef = opts.job?.spec.credentialsSecretRef;
  if (!token && jobRef && opts.job) {
    const namespace = opts.job.metadata.namespace ?? opts.cluster().namespace;
    const data = await readSecret(opts.cluster(), { namespace, name: jobRef.name });
    if (!data) {
      throw apiError(
        `the NeoJob's credentials Secret ${namespace}/${jobRef.name} does not exist`,
        "create it: kubectl create secret generic " + jobRef.name + ` -n ${namespace} --from-literal=${jobRef.key}=<token>`,
      );
    }
    const value = nonEmpty(data[jobRef.key]);
    if (!value) throw apiError(`the NeoJob's credentials Secret ${namespace}/${jobRef.name} has no key "${jobRef.key}"`);
    token = value;
    source = `secret ${namespace}/${jobRef.name}`;
    if (url) return { url: checkUrl(url), token, source };
  }

  const ref = operatorSecretRef(flags, env);
  let data: Record<string, string> | undefined;
  try {
    data = await readSecret(opts.cluster(), ref);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    throw new CliError(
      `no NeoEngine credentials: no --token/--neoengine-url or NEOENGINE_TOKEN/NEOENGINE_URL, and the operator's Secret ${ref.namespace}/${ref.name} could not be read: ${error.message}`,
      error.exitCode,
      "pass --neoengine-url and --token (or set NEOENGINE_URL and NEOENGINE_TOKEN)",
    );
  }
  if (!token) {
    const value = nonEmpty(data?.[TOKEN_SECRET_KEYS.token]);
    if (!value) throw noCredentials(ref, data !== undefined);
    token = value;
    source = `secret ${ref.namespace}/${ref.name}`;
  }
  url ??= nonEmpty(data?.[TOKEN_SECRET_KEYS.url]);
  if (!url) {
    throw apiError(
      "no NeoEngine URL: pass --neoengine-url or set NEOENGINE_URL",
      `or add a "${TOKEN_SECRET_KEYS.url}" key to the Secret ${ref.namespace}/${ref.name}`,
    );
  }
  return { url: checkUrl(url), token, source };
}

function noCredentials(ref: SecretRef, secretExists: boolean) {
  const where = secretExists
    ? `the Secret ${ref.namespace}/${ref.name} has no "${TOKEN_SECRET_KEYS.token}" key`
    : `the operator's token Secret ${ref.namespace}/${ref.name} does not exist`;
  return apiError(
    `no NeoEngine credentials: no --token, no NEOENGINE_TOKEN, and ${where}`,
    "pass --token and --neoengine-url (or set NEOENGINE_TOKEN and NEOENGINE_URL), or point --token-secret at the operator's Secret",
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`the NeoEngine URL "${url}" is not a URL`, "e.g. --neoengine-url http://127.0.0.1:8787/v1");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw usageError(`the NeoEngine URL must be http(s), got "${url}"`);
  return url;
}
