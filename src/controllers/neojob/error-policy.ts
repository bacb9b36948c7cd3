import { isConflict, isNotFound } from "../../kube/client/errors.js";
import { isNeoEngineError } from "../../neoengine/index.js";
import type { JobScope } from "./scope.js";
import { CredentialsError, done, requeueAfter, type Action, type NeoJobWriter } from "./types.js";

// The one error policy of the NeoJob controller (kube-rs style): every error a phase throws ends
// here. It records Synced=False (reason = the NeoEngine error code) when that is news, and asks
// for a retry with per-object exponential backoff, never sooner than the server's Retry-After.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 300_000 };

/** Per-key failure counts; success forgets the key. */
export class Backoff {
  private readonly failures = new Map<string, number>();
  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  next(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const ceiling = Math.min(this.options.maxMs, this.options.baseMs * 2 ** (n - 1));
    // Jitter spreads the retries of many NeoJobs hit by the same outage apart.
    return Math.round(ceiling * (0.5 + 0.5 * (this.options.random ?? Math.random)()));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

export function describeError(err: unknown): { reason: string; message: string } {
  if (isNeoEngineError(err)) return { reason: err.code, message: err.message };
  if (err instanceof CredentialsError) return { reason: err.reason, message: err.message };
  return { reason: "ReconcileError", message: err instanceof Error ? err.message : String(err) };
}

export async function handleReconcileError(
  err: unknown,
  scope: JobScope | undefined,
  writer: NeoJobWriter,
  backoff: Backoff,
): Promise<Action> {
  // A stale read: the informer is about to deliver the newer object, which is queued anyway.
  if (isConflict(err)) return requeueAfter(500);
  // Deleted while we worked: nothing left to do.
  if (isNotFound(err) && scope) return done();
  const delay = backoff.next(scope?.key ?? "?");
  const retryAfter = isNeoEngineError(err) ? (err.retryAfterMs ?? 0) : 0;
  if (scope && !scope.job.metadata.deletionTimestamp) {
    const { reason, message } = describeError(err);
    scope.failSync(reason, message);
    try {
      await scope.flush(writer); // writes only when the condition (or other status) changed
    } catch {
      // The error we report is the original one; the next attempt writes again.
    }
  }
  return requeueAfter(Math.max(delay, retryAfter));
}
