import type { RequestOptions as HttpsRequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { makeConnection, type AuthSource, type KubeConnection } from "./connection.js";
import { EXEC_API_VERSIONS } from "./exec-credential.js";
import { connectionFromClientNodeEntries } from "./load-connection.js";

// KubeClient still accepts a client-node KubeConfig (tests, the demo and kubectl-neo build them).
// Detected by shape, with a type-only import, so accepting one loads nothing. The common cases
// (certificates, tokens, token files incl. client-node's in-cluster "tokenFile" provider, basic
// auth, exec plugins) become a native connection; anything else (oidc, gcp, azure, impersonation)
// asks the KubeConfig itself for headers and TLS on every request.

export function isClientNodeKubeConfig(x: unknown): x is KubeConfig {
  const kc = x as Partial<KubeConfig> | null;
  return typeof kc === "object" && kc !== null && typeof kc.getCurrentCluster === "function" && typeof kc.applyToHTTPSOptions === "function";
}

interface ClientNodeUser {
  certData?: string;
  certFile?: string;
  keyData?: string;
  keyFile?: string;
  token?: string;
  username?: string;
  password?: string;
  exec?: { apiVersion?: string } | null;
  authProvider?: { name?: string; config?: { tokenFile?: string } } | null;
  impersonateUser?: string | null;
}

export function connectionFromKubeConfig(kc: KubeConfig, source = "KubeConfig"): KubeConnection {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`${source}: no current cluster`);
  const user = (kc.getCurrentUser() ?? {}) as ClientNodeUser;
  const namespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  const provider = user.authProvider;
  const native =
    !user.impersonateUser &&
    (!user.exec || EXEC_API_VERSIONS.includes(user.exec.apiVersion ?? "")) &&
    (!provider || (provider.name === "tokenFile" && provider.config?.tokenFile)) &&
    (!cluster.proxyUrl || /^https?:\/\//.test(cluster.proxyUrl));
  if (native) {
    return connectionFromClientNodeEntries(
      cluster,
      { ...user, exec: user.exec ?? undefined, tokenFile: provider?.config?.tokenFile, token: user.token ?? undefined },
      namespace,
      source,
    );
  }
  if (cluster.proxyUrl && !/^https?:\/\//.test(cluster.proxyUrl)) throw new Error(`${source}: proxy-url ${cluster.proxyUrl} is not supported (HTTP(S) proxies only)`);
  return makeConnection({
    server: cluster.server,
    namespace,
    proxyUrl: cluster.proxyUrl,
    source,
    tls: { rejectUnauthorized: !cluster.skipTLSVerify, servername: cluster.tlsServerName },
    auth: clientNodeAuth(kc),
  });
}

/** client-node computes headers and TLS (it refreshes oidc/cloud tokens itself); keep the TLS object stable while equal. */
function clientNodeAuth(kc: KubeConfig): AuthSource {
  return {
    async get() {
      const opts: HttpsRequestOptions = {};
      await kc.applyToHTTPSOptions(opts);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : String(v);
      if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
      const pem = (v: unknown) => (v === undefined || v === null ? undefined : Buffer.isBuffer(v) ? v.toString("utf8") : String(v));
      return { headers, cert: pem(opts.cert), key: pem(opts.key), ca: pem(opts.ca) };
    },
    invalidate: () => true,
  };
}
