import type { NeoProvider } from "../../api/neoprovider.js";
import { Resources, type Clock, type KubeClient } from "../../kube/index.js";
import { apiBaseUrl, NeoEngineClient, type RequestEvent, type TokenSource } from "../../neoengine/index.js";

// One NeoEngine client per credential: the NeoProvider's own Secret (cluster-scoped, so the
// reference names a namespace), else the operator-wide token. The token is re-read from the
// Secret at most every TOKEN_TTL_MS, so a rotated token is picked up without a restart. Tokens
// never leave this file except as request headers (the client never logs them).

const TOKEN_TTL_MS = 30_000;

export class CredentialsError extends Error {
  constructor(
    readonly reason: "NoCredentials" | "SecretNotFound" | "SecretKeyMissing",
    message: string,
  ) {
    super(message);
    this.name = "CredentialsError";
  }
}

export interface ClientFactoryOptions {
  /** Base URL of the network's API including /v1 (a bare origin gets /v1 appended). */
  neoengineUrl: string;
  /** The operator-wide token, used by NeoProviders without credentialsSecretRef. */
  defaultToken?: TokenSource;
  /** Builds a client (tests and the operator may wrap it, e.g. for metrics). */
  createClient?: (opts: { baseUrl: string; token: TokenSource; credential: string }) => NeoEngineClient;
  onRequest?: (event: RequestEvent) => void;
  /** Most concurrent connections per client: one long poll per node is held open. */
  connections?: number;
}


export class ProviderClients {
  private readonly clients = new Map<string, NeoEngineClient>();
  private readonly tokens = new Map<string, { value: string; readAt: number }>();

  constructor(
    private readonly kube: KubeClient,
    private readonly opts: ClientFactoryOptions,
    private readonly clock: Clock,
  ) {}

  /** Names the credential of a NeoProvider without revealing it ("default" or "ns/name#key"). */
  credentialOf(np: NeoProvider): string {
    const ref = np.spec.credentialsSecretRef;
    return ref ? `${ref.namespace}/${ref.name}#${ref.key}` : "default";
  }

  /** Throws CredentialsError when the NeoProvider has no usable credential (checked eagerly). */
  async clientFor(np: NeoProvider): Promise<NeoEngineClient> {
    const credential = this.credentialOf(np);
    const ref = np.spec.credentialsSecretRef;
    let token: TokenSource;
    if (ref) {
      await this.readSecretToken(credential, ref); // fail fast with a clear reason
      token = () => this.readSecretToken(credential, ref);
    } else if (this.opts.defaultToken !== undefined) {
      token = this.opts.defaultToken;
    } else {
      throw new CredentialsError("NoCredentials", "no spec.credentialsSecretRef and the operator has no default token");
    }
    let client = this.clients.get(credential);
    if (!client) {
      const baseUrl = apiBaseUrl(this.opts.neoengineUrl);
      client = this.opts.createClient
        ? this.opts.createClient({ baseUrl, token, credential })
        : new NeoEngineClient({
            baseUrl,
            token,
            // Provider tokens have their own (larger) budget; the server's headers correct this.
            rateLimiter: { tier: "pro", maxWaitMs: 60_000 },
            connections: this.opts.connections ?? 1024,
            userAgent: "neoengine-operator/provider",
            ...(this.opts.onRequest ? { onRequest: this.opts.onRequest } : {}),
          });
      this.clients.set(credential, client);
    }
    return client;
  }

  private async readSecretToken(credential: string, ref: { namespace: string; name: string; key: string }): Promise<string> {
    const cached = this.tokens.get(credential);
    if (cached && this.clock.now() - cached.readAt < TOKEN_TTL_MS) return cached.value;
    let secret: { data?: Record<string, string> };
    try {
      secret = await this.kube.get<{ data?: Record<string, string> }>(Resources.secret, { namespace: ref.namespace, name: ref.name });
    } catch (err) {
      if ((err as { code?: number }).code === 404) {
        throw new CredentialsError("SecretNotFound", `Secret ${ref.namespace}/${ref.name} not found`);
      }
      throw err;
    }
    const encoded = secret.data?.[ref.key];
    if (!encoded) throw new CredentialsError("SecretKeyMissing", `Secret ${ref.namespace}/${ref.name} has no key ${ref.key}`);
    const value = Buffer.from(encoded, "base64").toString("utf8").trim();
    this.tokens.set(credential, { value, readAt: this.clock.now() });
    return value;
  }

  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
  }
}
