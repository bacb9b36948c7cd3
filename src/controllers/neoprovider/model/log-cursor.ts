// Incremental reading of a container log through the Pods log API without `follow`: each read
// asks for `timestamps=true&sinceTime=<last second seen>` and this cursor drops what was already
// seen. The kubelet stamps every line with RFC 3339 nanoseconds; lines sharing the last stamp are
// counted so that neither duplicates nor losses occur at the one-second granularity of sinceTime.

export interface TimestampedLine {
  /** Sortable key: seconds since epoch * 1e9 + nanoseconds, as a bigint. */
  stamp: bigint;
  text: string;
}

const STAMP_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}) (.*)$/;

export function parseTimestampedLine(line: string): TimestampedLine | undefined {
  const m = STAMP_RE.exec(line);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  const nanos = BigInt((m[2] ?? "").padEnd(9, "0"));
  return { stamp: (BigInt(seconds) / 1000n) * 1_000_000_000n + nanos, text: m[4] ?? "" };
}

export class LogCursor {
  private lastStamp = -1n;
  /** How many lines carrying lastStamp have been consumed. */
  private seenAtLast = 0;

  /** RFC 3339 second to pass as sinceTime (undefined before anything was read). */
  sinceTime(): string | undefined {
    if (this.lastStamp < 0n) return undefined;
    const seconds = Number(this.lastStamp / 1_000_000_000n);
    return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  /**
   * Takes the body of one log read (timestamps=true) and returns the new lines, without their
   * stamps. A trailing partial line (no newline yet) is left for the next read.
   */
  consume(body: string): string[] {
    const complete = body.endsWith("\n") ? body : body.slice(0, body.lastIndexOf("\n") + 1);
    const fresh: string[] = [];
    let countAtStamp = 0;
    let currentStamp = -2n;
    for (const raw of complete.split("\n")) {
      if (raw === "") continue;
      const line = parseTimestampedLine(raw);
      if (!line) continue;
      if (line.stamp !== currentStamp) {
        currentStamp = line.stamp;
        countAtStamp = 0;
      }
      countAtStamp++;
      if (line.stamp < this.lastStamp) continue;
      if (line.stamp === this.lastStamp && countAtStamp <= this.seenAtLast) continue;
      if (line.stamp > this.lastStamp) {
        this.lastStamp = line.stamp;
        this.seenAtLast = 0;
      }
      this.seenAtLast = countAtStamp;
      fresh.push(line.text);
    }
    return fresh;
  }
}
