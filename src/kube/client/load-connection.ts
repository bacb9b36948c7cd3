import { existsSync, readFileSync } from "node:fs";
import { isIPv6 } from "node:net";
import { homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { basicAuth, staticToken, tokenFile } from "./auth-sources.js";
import { makeConnection, noAuth, type AuthSource, type KubeConnection, type TlsMaterial } from "./connection.js";
import { EXEC_API_VERSIONS, execCredential, type ExecClusterInfo, type ExecConfig } from "./exec-credential.js";

// A kubeconfig loader that does not import @kubernetes/client-node (whose import alone costs the
// operator ~74 MiB RSS). It covers what operators are run with: files with certificates, tokens,
// token files, basic auth and exec plugins, and in-cluster service accounts. Anything else
// (auth-provider oidc/gcp/azure, impersonation, socks proxies) is handed to client-node, loaded
// on demand, so only those users pay its memory.

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface LoadKubeConnectionOptions {
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where ~/.kube/config is looked for. Default $HOME, else os.homedir(). */
  homeDir?: string;
  /** The service-account directory of in-cluster config (token, ca.crt, namespace). */
  serviceAccountDir?: string;
  /** Clock of the token-file and exec-credential caches (tests). */
  now?: () => number;
}

/**
 * Same precedence as loadKubeConfig(): an explicit file; else in-cluster when
 * KUBERNETES_SERVICE_HOST is set and KUBECONFIG is not; else the first file of $KUBECONFIG, else
 * ~/.kube/config (else in-cluster when a service-account token exists). Uses the current context.
 */
export async function loadKubeConnection(path?: string, opts: LoadKubeConnectionOptions = {}): Promise<KubeConnection> {
  const env = opts.env ?? process.env;
  const saDir = opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (path) return fromKubeconfigFile(path, opts);
  if (env.KUBERNETES_SERVICE_HOST && !env.KUBECONFIG) return inClusterConnection(env, saDir, opts);
  const fromEnv = (env.KUBECONFIG ?? "").split(delimiter).find(Boolean);
  if (fromEnv) return fromKubeconfigFile(fromEnv, opts);
  const home = opts.homeDir ?? env.HOME ?? homedir();
  const file = join(home, ".kube", "config");
  if (existsSync(file)) return fromKubeconfigFile(file, opts);
  if (env.KUBERNETES_SERVICE_HOST && existsSync(join(saDir, "token"))) return inClusterConnection(env, saDir, opts);
  throw new Error(`no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ${file} or run in a cluster`);
}

/** In-cluster config: the service-account token (re-read, it rotates) and CA, KUBERNETES_SERVICE_HOST/PORT. */
export function inClusterConnection(env: NodeJS.ProcessEnv, saDir: string, opts: Pick<LoadKubeConnectionOptions, "now"> = {}): KubeConnection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error("in-cluster config needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT");
  // client-node's rule, kept so nothing changes: these ports are plain HTTP.
  const scheme = port === "80" || port === "8080" || port === "8001" ? "http" : "https";
  const caFile = join(saDir, "ca.crt");
  const nsFile = join(saDir, "namespace");
  return makeConnection({
    server: `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`,
    namespace: existsSync(nsFile) ? readFileSync(nsFile, "utf8").trim() || undefined : undefined,
    source: "in-cluster",
    tls: { ca: scheme === "https" ? readText(caFile, "in-cluster CA") : undefined, rejectUnauthorized: true },
    auth: tokenFile(join(saDir, "token"), { now: opts.now }),
  });
}

type Named<K extends string, T> = { name?: string } & { [key in K]?: T };

interface KubeconfigDoc {
  clusters?: Array<Named<"cluster", Record<string, unknown>>> | null;
  users?: Array<Named<"user", Record<string, unknown>>> | null;
  contexts?: Array<Named<"context", { cluster?: string; user?: string; namespace?: string }>> | null;
  "current-context"?: string;
}

/** Reads one kubeconfig file; relative paths in it are relative to its directory. */
export async function fromKubeconfigFile(file: string, opts: LoadKubeConnectionOptions = {}): Promise<KubeConnection> {
  const path = resolve(file);
  const text = readText(path, "kubeconfig");
  let doc: KubeconfigDoc;
  try {
    doc = (parseYaml(text) ?? {}) as KubeconfigDoc;
  } catch (err) {
    throw new Error(`kubeconfig ${path}: not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  if (typeof doc !== "object" || Array.isArray(doc)) throw new Error(`kubeconfig ${path}: not a kubeconfig document`);
  const selected = selectCurrent(doc, path);
  const unsupported = unsupportedFeature(selected.cluster, selected.user);
  if (unsupported) return clientNodeFallback(path);
  return connectionFromEntries({ ...selected, source: path, dir: dirname(path), now: opts.now });
}

function selectCurrent(doc: KubeconfigDoc, source: string) {
  const contextName = doc["current-context"];
  if (!contextName) throw new Error(`kubeconfig ${source}: no current-context`);
  const context = (doc.contexts ?? []).find((c) => c?.name === contextName)?.context;
  if (!context) throw new Error(`kubeconfig ${source}: context "${contextName}" not found`);
  const cluster = (doc.clusters ?? []).find((c) => c?.name === context.cluster)?.cluster;
  if (!cluster) throw new Error(`kubeconfig ${source}: cluster "${String(context.cluster)}" of context "${contextName}" not found`);
  const user = context.user ? (doc.users ?? []).find((u) => u?.name === context.user)?.user : undefined;
  if (context.user && !user) throw new Error(`kubeconfig ${source}: user "${context.user}" of context "${contextName}" not found`);
  return { cluster, user: user ?? {}, namespace: context.namespace };
}

/** What this loader does not do itself (then client-node does it). */
function unsupportedFeature(cluster: Record<string, unknown>, user: Record<string, unknown>): string | undefined {
  if (user["auth-provider"]) return "auth-provider";
  if (user.as || user["as-groups"] || user["as-uid"] || user["as-user-extra"]) return "impersonation";
  const exec = user.exec as ExecConfig | undefined;
  if (exec && !EXEC_API_VERSIONS.includes(exec.apiVersion)) return `exec apiVersion ${exec.apiVersion}`;
  const proxy = cluster["proxy-url"];
  if (typeof proxy === "string" && !/^https?:\/\//.test(proxy)) return "non-HTTP proxy-url";
  return undefined;
}

/** Dynamically loads client-node (only here) and adapts its KubeConfig. */
async function clientNodeFallback(path: string): Promise<KubeConnection> {
  const [{ KubeConfig }, { connectionFromKubeConfig }] = await Promise.all([import("@kubernetes/client-node"), import("./client-node-adapter.js")]);
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return connectionFromKubeConfig(kc, path);
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read the ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** base64 data wins over a file path, like kubectl. */
function dataOrFile(data: unknown, file: unknown, dir: string, what: string): string | undefined {
  if (str(data)) return Buffer.from(str(data)!, "base64").toString("utf8");
  if (str(file)) return readText(resolve(dir, str(file)!), what);
  return undefined;
}

interface Entries {
  cluster: Record<string, unknown>;
  user: Record<string, unknown>;
  namespace?: string;
  source: string;
  dir: string;
  now?: () => number;
}

function connectionFromEntries(e: Entries): KubeConnection {
  const { cluster, user, dir } = e;
  const server = str(cluster.server);
  if (!server) throw new Error(`kubeconfig ${e.source}: the current cluster has no server`);
  const tls: TlsMaterial = {
    ca: dataOrFile(cluster["certificate-authority-data"], cluster["certificate-authority"], dir, "certificate-authority"),
    cert: dataOrFile(user["client-certificate-data"], user["client-certificate"], dir, "client-certificate"),
    key: dataOrFile(user["client-key-data"], user["client-key"], dir, "client-key"),
    rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true,
    servername: str(cluster["tls-server-name"]),
  };
  if (Boolean(tls.cert) !== Boolean(tls.key)) throw new Error(`kubeconfig ${e.source}: a client certificate needs both the certificate and the key`);
  const execCluster: ExecClusterInfo = {
    server,
    tlsServerName: tls.servername,
    insecureSkipTLSVerify: !tls.rejectUnauthorized,
    certificateAuthorityData: typeof tls.ca === "string" ? Buffer.from(tls.ca).toString("base64") : undefined,
    proxyURL: str(cluster["proxy-url"]),
    config: (cluster.extensions as Array<{ name?: string; extension?: unknown }> | undefined)?.find((x) => x?.name === "client.authentication.k8s.io/exec")
      ?.extension,
  };
  const auth = authOf(user, dir, e.now, execCluster);
  return makeConnection({ server, namespace: e.namespace, proxyUrl: str(cluster["proxy-url"]), source: e.source, tls, auth });
}

function authOf(user: Record<string, unknown>, dir: string, now: (() => number) | undefined, cluster: ExecClusterInfo): AuthSource {
  if (user.exec) return execCredential(user.exec as ExecConfig, { dir, now, cluster });
  if (str(user.token)) return staticToken(str(user.token)!);
  const file = str(user.tokenFile) ?? str(user["token-file"]);
  if (file) return tokenFile(resolve(dir, file), { now });
  if (str(user.username)) return basicAuth(str(user.username)!, typeof user.password === "string" ? user.password : "");
  return noAuth;
}

/** The kubeconfig entries of a client-node Cluster/User, for the adapter (same rules, one code path). */
export function connectionFromClientNodeEntries(
  cluster: { server: string; caData?: string; caFile?: string; skipTLSVerify?: boolean; tlsServerName?: string; proxyUrl?: string },
  user: { certData?: string; certFile?: string; keyData?: string; keyFile?: string; token?: string; username?: string; password?: string; exec?: unknown; tokenFile?: string },
  namespace: string | undefined,
  source: string,
): KubeConnection {
  return connectionFromEntries({
    cluster: {
      server: cluster.server,
      "certificate-authority-data": cluster.caData,
      "certificate-authority": cluster.caFile,
      "insecure-skip-tls-verify": cluster.skipTLSVerify === true,
      "tls-server-name": cluster.tlsServerName,
      "proxy-url": cluster.proxyUrl,
    },
    user: {
      "client-certificate-data": user.certData,
      "client-certificate": user.certFile,
      "client-key-data": user.keyData,
      "client-key": user.keyFile,
      token: user.token,
      tokenFile: user.tokenFile,
      username: user.username,
      password: user.password,
      exec: user.exec ?? undefined,
    },
    namespace,
    source,
    dir: process.cwd(),
  });
}
