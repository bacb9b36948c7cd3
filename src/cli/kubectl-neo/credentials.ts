// Where the plugin finds the NeoEngine URL and token, in this order:
//   1. --neoengine-url / --token flags;
//   2. NEOENGINE_URL / NEOENGINE_TOKEN environment variables;
//   3. for commands about one NeoJob (logs, results, cancel): the token of the NeoJob's own
//      spec.credentialsSecretRef (read from the NeoJob's namespace, like the operator does);
//   4. the operator's own configuration: the Secret named by --token-secret /
//      NEOENGINE_TOKEN_SECRET (the operator's syntax: <namespace>/<name>[#<key>]), else the
//      --token-secret and --neoengine-url of the operator's Deployment found in the cluster
//      (label app.kubernetes.io/name=neoengine-operator), else the chart's default Secret
//      neoengine-system/neoengine-operator-token. A "url" key in that Secret overrides the URL.
// The token is never printed: `source` names where it came from, not what it is.

import type { NeoJob } from "../../api/index.js";
import { statusCodeOf } from "../../kube/client/errors.js";
import { Resources } from "../../kube/client/resource.js";
import { CliError, apiError, usageError } from "./errors.js";
import type { Cluster } from "./kube/cluster.js";
import { explainKubeError } from "./kube/neojobs.js";
import { findOperatorConfig } from "./kube/operator-config.js";

/** The Secret the Helm chart creates with its default release name. */
export const DEFAULT_TOKEN_SECRET = { namespace: "neoengine-system", name: "neoengine-operator-token", key: "token" } as const;
/** Optional extra key of the token Secret holding the NeoEngine URL (the operator takes it as a flag). */
export const URL_SECRET_KEY = "url";

export interface CredentialFlags {
  neoengineUrl?: string;
  token?: string;
  tokenSecret?: string;
}

export interface Credentials {
  url: string;
  token: string;
  /** Non-secret description of where the token came from, e.g. "secret neoengine-system/x". */
  source: string;
}

export interface SecretRef {
  namespace: string;
  name: string;
  key: string;
}

/** The operator's --token-secret syntax: <namespace>/<name>, optionally #<key> (default key "token"). */
export function parseSecretRef(value: string, flag = "--token-secret"): SecretRef {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)(#([-._a-zA-Z0-9]+))?$/.exec(value);
  if (!match) throw usageError(`${flag} must be <namespace>/<name> (optionally #<key>), got "${value}"`);
  return { namespace: match[1]!, name: match[3]!, key: match[6] ?? "token" };
}

/** Reads a Secret's data as strings; undefined when it does not exist. */
export async function readSecret(cluster: Cluster, ref: { namespace: string; name: string }): Promise<Record<string, string> | undefined> {
  let secret: { data?: Record<string, string> };
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

/** Where the operator's token lives, and the URL it talks to when its Deployment says so. */
async function operatorSecret(
  flags: CredentialFlags,
  env: Record<string, string | undefined>,
  cluster: () => Cluster,
): Promise<{ ref: SecretRef; url?: string }> {
  const value = flags.tokenSecret ?? env.NEOENGINE_TOKEN_SECRET;
  if (value) return { ref: parseSecretRef(value, flags.tokenSecret ? "--token-secret" : "NEOENGINE_TOKEN_SECRET") };
  const found = await findOperatorConfig(cluster());
  if (found?.tokenSecret) {
    return { ref: parseSecretRef(found.tokenSecret, `--token-secret of the operator Deployment ${found.deployment}`), url: found.url };
  }
  return { ref: { ...DEFAULT_TOKEN_SECRET }, url: found?.url };
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

  const jobRef = opts.job?.spec?.credentialsSecretRef;
  if (!token && jobRef && opts.job) {
    const namespace = opts.job.metadata.namespace ?? opts.cluster().namespace;
    const data = await readSecret(opts.cluster(), { namespace, name: jobRef.name });
    if (!data) {
      throw apiError(
        `the NeoJob's credentials Secret ${namespace}/${jobRef.name} does not exist`,
        `create it: kubectl create secret generic ${jobRef.name} -n ${namespace} --from-literal=${jobRef.key}=<token>`,
      );
    }
    const value = nonEmpty(data[jobRef.key]);
    if (!value) throw apiError(`the NeoJob's credentials Secret ${namespace}/${jobRef.name} has no key "${jobRef.key}"`);
    token = value;
    source = `secret ${namespace}/${jobRef.name}`;
    if (url) return { url: checkUrl(url), token, source };
  }

  let ref: SecretRef = { ...DEFAULT_TOKEN_SECRET };
  let operatorUrl: string | undefined;
  let data: Record<string, string> | undefined;
  try {
    const found = await operatorSecret(flags, env, opts.cluster);
    ref = found.ref;
    operatorUrl = found.url;
    data = await readSecret(opts.cluster(), ref);
  } catch (error) {
    if (!(error instanceof CliError) || error.exitCode !== 3) throw error;
    throw new CliError(
      `no NeoEngine credentials: no --token/--neoengine-url or NEOENGINE_TOKEN/NEOENGINE_URL, and the operator's token Secret could not be read: ${error.message}`,
      error.exitCode,
      "pass --neoengine-url and --token (or set NEOENGINE_URL and NEOENGINE_TOKEN)",
    );
  }
  if (!token) {
    const value = nonEmpty(data?.[ref.key]);
    if (!value) throw noCredentials(ref, data !== undefined);
    token = value;
    source = `secret ${ref.namespace}/${ref.name}`;
  }
  url ??= nonEmpty(data?.[URL_SECRET_KEY]) ?? operatorUrl;
  if (!url) {
    throw apiError(
      "no NeoEngine URL: pass --neoengine-url or set NEOENGINE_URL",
      `or add a "${URL_SECRET_KEY}" key to the Secret ${ref.namespace}/${ref.name}`,
    );
  }
  return { url: checkUrl(url), token, source };
}

function noCredentials(ref: SecretRef, secretExists: boolean): CliError {
  const where = secretExists
    ? `the Secret ${ref.namespace}/${ref.name} has no "${ref.key}" key`
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
