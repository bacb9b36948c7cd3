import { PROGRESS_PREFIX } from "../labels.js";

// A job reports progress by printing `neo:progress=<0-100>` on a line of its own (design.md).

const PROGRESS_RE = new RegExp(`^\\s*${PROGRESS_PREFIX.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\d{1,3})%?\\s*$`);

/** The progress a line reports, clamped to 0..100; undefined for any other line. */
export function parseProgressLine(line: string): number | undefined {
  const m = PROGRESS_RE.exec(line);
  if (!m) return undefined;
  return Math.min(100, Number(m[1]));
}

/** The last progress reported in these lines (later lines win), if any. */
export function lastProgress(lines: Iterable<string>): number | undefined {
  let progress: number | undefined;
  for (const line of lines) {
    const p = parseProgressLine(line);
    if (p !== undefined) progress = p;
  }
  return progress;
}
