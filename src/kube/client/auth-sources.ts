import { refreshingFileText, type FileTextError } from "../../shared/refreshing-file.js";
import type { AuthSource } from "./connection.js";

// Bearer tokens and basic auth. A token file is re-read (bound service-account tokens rotate
// about hourly and kubelet rewrites the file) at most once per `maxAgeMs`, and at once after a 401.

export function staticToken(token: string): AuthSource {
  const headers = { Authorization: `Bearer ${token}` };
  return { get: () => Promise.resolve({ headers }), invalidate: () => false };
}

export function basicAuth(username: string, password: string): AuthSource {
  const headers = { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` };
  return { get: () => Promise.resolve({ headers }), invalidate: () => false };
}

export interface TokenFileOptions {
  /** Re-read the file when the cached token is older than this. Default 60 s. */
  maxAgeMs?: number;
  now?: () => number;
}

export function tokenFile(path: string, opts: TokenFileOptions = {}): AuthSource {
  const file = refreshingFileText(path, { maxAgeMs: opts.maxAgeMs ?? 60_000, now: opts.now });
  return {
    async get() {
      let token: string;
      try {
        token = await file.read();
      } catch (err) {
        const e = err as FileTextError;
        throw new Error(e.reason === "empty" ? `the token file ${path} is empty` : `cannot read the token file ${path}: ${e.message}`);
      }
      return { headers: { Authorization: `Bearer ${token}` } };
    },
    invalidate() {
      file.invalidate();
      return true;
    },
  };
}
