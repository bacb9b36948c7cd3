import { setTimeout as sleep } from "node:timers/promises";

export interface WaitOptions {
  /** Deadline for the condition. Default 30 s. */
  timeoutMs?: number;
  /** Pause between polls. Default 100 ms. */
  intervalMs?: number;
  /** What is awaited, for the error message. */
  description?: string;
}

/**
 * Polls `condition` until it returns a value other than undefined/false/null, and returns
 * it; throws after the deadline with the last value or error seen. For conditions of a
 * real cluster, which have no event we could await directly.
 */
export async function waitFor<T>(condition: () => Promise<T | undefined | null | false> | T | undefined | null | false, opts: WaitOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== null && value !== false) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.description ?? "condition"}; last: ${seen}`);
    }
    await sleep(opts.intervalMs ?? 100);
  }
}
