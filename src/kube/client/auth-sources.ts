import { readFileSync } from "node:fs";
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
  const maxAgeMs = opts.maxAgeMs ?? 60_000;
  const now = opts.now ?? Date.now;
  let cached: { headers: Record<string, string>; readAt: number } | undefined;
  return {
    get() {
      if (!cached || now() - cached.readAt >= maxAgeMs) {
        let token: string;
        try {
          token = readFileSync(path, "utf8").trim();
        } catch (err) {
          return Promise.reject(new Error(`cannot read the token file ${path}: ${(err as Error).message}`));
        }
        if (!token) return Promise.reject(new Error(`the token file ${path} is empty`));
        cached = { headers: { Authorization: `Bearer ${token}` }, readAt: now() };
      }
      return Promise.resolve({ headers: cached.headers });
    },
    invalidate() {
      cached = undefined;
      return true;
    },
  };
}
