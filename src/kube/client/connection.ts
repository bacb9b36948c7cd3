// What KubeClient needs to reach one apiserver: the server URL, the TLS material of the socket and
// the auth headers of each request. Credentials can change over the life of the process (bound
// service-account tokens rotate, exec plugins hand out short-lived tokens or certificates), so
// they are asked for per request and refreshed once after a 401.

export interface TlsMaterial {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
}

export interface KubeCredentials {
  /** Authorization (and similar) headers for the next request. Secret: never log them. */
  headers: Record<string, string>;
  /** The same object until the material changes; KubeClient opens a new connection pool when it does. */
  tls: TlsMaterial;
}

export interface KubeConnection {
  /** Marks the object for KubeClient, which also accepts a client-node KubeConfig. */
  readonly kind: "KubeConnection";
  /** Base URL of the apiserver, e.g. https://10.0.0.1:6443 (a path prefix is kept). */
  readonly server: string;
  /** The current context's namespace, when it names one. */
  readonly namespace?: string;
  /** An HTTP(S) proxy in front of the apiserver (kubeconfig proxy-url). */
  readonly proxyUrl?: string;
  /** Where the connection came from (a file, "in-cluster"), for messages; never a secret. */
  readonly source: string;
  credentials(): Promise<KubeCredentials>;
  /** Forget cached credentials after a 401. True when the next credentials() may differ (worth one retry). */
  invalidate(): boolean;
}

/** The part of the credentials that depends on the user: headers and, for exec plugins, a client certificate. */
export interface AuthMaterial {
  headers: Record<string, string>;
  cert?: string;
  key?: string;
  /** Only when the CA is computed per request (client-node fallback). */
  ca?: string;
}

export interface AuthSource {
  get(): Promise<AuthMaterial>;
  invalidate(): boolean;
}

export const noAuth: AuthSource = { get: () => Promise.resolve({ headers: {} }), invalidate: () => false };

export interface ConnectionParts {
  server: string;
  namespace?: string;
  proxyUrl?: string;
  source: string;
  /** TLS of the cluster and a static client certificate. */
  tls: TlsMaterial;
  auth: AuthSource;
}

export function isKubeConnection(x: unknown): x is KubeConnection {
  return typeof x === "object" && x !== null && (x as { kind?: unknown }).kind === "KubeConnection";
}

/** Joins cluster TLS and user auth; keeps the TLS object stable while an exec plugin's certificate stays the same. */
export function makeConnection(parts: ConnectionParts): KubeConnection {
  if (!/^https?:\/\//.test(parts.server)) throw new Error(`${parts.source}: server "${parts.server}" is not an http(s) URL`);
  let tls = parts.tls;
  return {
    kind: "KubeConnection",
    server: parts.server.replace(/\/+$/, ""),
    namespace: parts.namespace,
    proxyUrl: parts.proxyUrl,
    source: parts.source,
    async credentials() {
      const auth = await parts.auth.get();
      const certChanged = auth.cert !== undefined && (auth.cert !== tls.cert || auth.key !== tls.key);
      const caChanged = auth.ca !== undefined && auth.ca !== tls.ca;
      if (certChanged || caChanged) {
        tls = { ...tls, ...(certChanged ? { cert: auth.cert, key: auth.key } : {}), ...(caChanged ? { ca: auth.ca } : {}) };
      }
      return { headers: auth.headers, tls };
    },
    invalidate: () => parts.auth.invalidate(),
  };
}
