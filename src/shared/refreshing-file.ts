import { readFile } from "node:fs/promises";

// The trimmed text of a small file that is rewritten now and then (a mounted Secret, a bound
// service-account token): read at most once per `maxAgeMs`, and at once after invalidate() (the
// server refused the value it held). Shared by the kube client's token files and the operator's
// NeoEngine token file, which differ only in how often they look and how they report errors.

export class FileTextError extends Error {
  constructor(
    readonly reason: "unreadable" | "empty",
    readonly path: string,
    detail: string,
  ) {
    super(detail);
    this.name = "FileTextError";
  }
}

export interface RefreshingFile {
  /** Rejects with a FileTextError when the file cannot be read or holds only whitespace. */
  read(): Promise<string>;
  invalidate(): void;
}

export function refreshingFileText(path: string, opts: { maxAgeMs: number; now?: () => number }): RefreshingFile {
  const now = opts.now ?? Date.now;
  let cached: { text: string; readAt: number } | undefined;
  return {
    async read() {
      if (cached && now() - cached.readAt < opts.maxAgeMs) return cached.text;
      let text: string;
      try {
        text = (await readFile(path, "utf8")).trim();
      } catch (err) {
        throw new FileTextError("unreadable", path, (err as Error).message);
      }
      if (!text) throw new FileTextError("empty", path, "the file is empty");
      cached = { text, readAt: now() };
      return text;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
