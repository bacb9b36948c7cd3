import { refreshingFileText, type FileTextError } from "../../shared/refreshing-file.js";
import { CredentialsError } from "../../controllers/neojob/types.js";
import { isNotFound, Resources, type KubeClient } from "../../kube/index.js";

// Where a NeoEngine token comes from. Each source re-reads its origin (a file at most once a
// second, a Secret after a short cache) so a rotated token is used without a restart, and drops
// its cache after a 401.
// `name` is the non-secret identity used in logs and metrics; the token itself is never logged.

export interface TokenSource {
  readonly name: string;
  token(): Promise<string>;
  /** Forget the cached value (the network answered 401 with it). */
  invalidate(): void;
}

export function staticToken(value: string, name = "default"): TokenSource {
  const token = value.trim();
  if (!token) throw new CredentialsError("NoCredentials", "the token is empty");
  return { name, token: async () => token, invalidate() {} };
}

/**
 * A token file (e.g. a mounted Secret): re-read at most every `checkEveryMs` (default 1 s) — the
 * token is needed for every request, and touching the file per request costs real CPU under load,
 * while a mounted Secret changes on the kubelet's sync period (about a minute) anyway. A 401
 * (invalidate) re-reads at once.
 */
export function fileToken(path: string, name = "default", opts: { checkEveryMs?: number; now?: () => number } = {}): TokenSource {
  const file = refreshingFileText(path, { maxAgeMs: opts.checkEveryMs ?? 1000, now: opts.now });
  return {
    name,
    async token() {
      try {
        return await file.read();
      } catch (err) {
        if ((err as FileTextError).reason === "empty") throw new CredentialsError("CredentialsInvalid", `token file ${path} is empty`);
        throw new CredentialsError("CredentialsNotFound", `token file ${path} cannot be read`);
      }
    },
    invalidate() {
      file.invalidate();
    },
  };
}

export interface SecretRef {
  namespace: string;
  name: string;
  key: string;
}

export function secretRefName(ref: SecretRef): string {
  return `secret:${ref.namespace}/${ref.name}#${ref.key}`;
}

/** A key of a Secret, read through the apiserver and cached for `refreshMs` (rotation lag). */
export function secretToken(kube: KubeClient, ref: SecretRef, opts: { refreshMs?: number; now?: () => number; name?: string } = {}): TokenSource {
  const refreshMs = opts.refreshMs ?? 10_000;
  const now = opts.now ?? Date.now;
  let cached: { at: number; token: string } | undefined;
  let inflight: Promise<string> | undefined;
  const read = async (): Promise<string> => {
    let secret: { data?: Record<string, string>; stringData?: Record<string, string> };
    try {
      secret = await kube.get(Resources.secret, { namespace: ref.namespace, name: ref.name });
    } catch (err) {
      if (isNotFound(err)) throw new CredentialsError("CredentialsNotFound", `Secret ${ref.namespace}/${ref.name} not found`);
      throw err;
    }
    const encoded = secret.data?.[ref.key];
    if (encoded === undefined) throw new CredentialsError("CredentialsInvalid", `Secret ${ref.namespace}/${ref.name} has no key "${ref.key}"`);
    const token = Buffer.from(encoded, "base64").toString("utf8").trim();
    if (!token) throw new CredentialsError("CredentialsInvalid", `key "${ref.key}" of Secret ${ref.namespace}/${ref.name} is empty`);
    cached = { at: now(), token };
    return token;
  };
  return {
    name: opts.name ?? secretRefName(ref),
    async token() {
      if (cached && now() - cached.at < refreshMs) return cached.token;
      inflight ??= read().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

/** Parses --token-secret "<namespace>/<name>" (key "token", or "<namespace>/<name>#<key>"). */
export function parseSecretRef(value: string): SecretRef {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)(#([-._a-zA-Z0-9]+))?$/.exec(value);
  if (!m) throw new Error(`--token-secret must be <namespace>/<name> (optionally #<key>), got "${value}"`);
  return { namespace: m[1]!, name: m[3]!, key: m[6] ?? "token" };
}
