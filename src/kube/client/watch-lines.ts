import { StringDecoder } from "node:string_decoder";

// A watch response is a stream of JSON objects, one per line ({"type": ..., "object": ...}).
// Chunks split lines (and UTF-8 characters) anywhere; this reassembles them.

export interface RawWatchEvent {
  type: string;
  object: Record<string, unknown>;
}

export class WatchLineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private rest = "";

  constructor(private readonly onEvent: (event: RawWatchEvent) => void) {}

  push(chunk: Buffer | string): void {
    const text = this.rest + (typeof chunk === "string" ? chunk : this.decoder.write(chunk));
    let start = 0;
    for (let nl = text.indexOf("\n", start); nl >= 0; nl = text.indexOf("\n", start)) {
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  /** At a clean end of stream: a last line without a newline still counts. */
  end(): void {
    const last = this.rest + this.decoder.end();
    this.rest = "";
    this.line(last);
  }

  private line(line: string): void {
    if (!line.trim()) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`watch stream: a line is not JSON: ${line.slice(0, 80)}`);
    }
    const event = parsed as Partial<RawWatchEvent> | null;
    if (typeof event?.type !== "string" || typeof event.object !== "object" || event.object === null) {
      throw new Error(`watch stream: a line is not a watch event: ${line.slice(0, 80)}`);
    }
    this.onEvent(event as RawWatchEvent);
  }
}
