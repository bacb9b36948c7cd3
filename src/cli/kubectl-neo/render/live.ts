// A block of lines redrawn in place on a terminal (get -w, run): the cursor goes back up over
// the previous frame and clears it. Used only when isInteractive(io); pipes get plain lines.

import type { OutputStream } from "../io.js";

export class LiveRegion {
  #lines = 0;

  constructor(private readonly out: OutputStream) {}

  /** Replaces the previous frame with `text` (one or more lines, trailing newline optional). */
  draw(text: string): void {
    const columns = this.out.columns && this.out.columns > 0 ? this.out.columns : undefined;
    // Long lines would wrap and break the line count: cut them to the terminal width.
    const lines = text.replace(/\n$/, "").split("\n").map((l) => (columns && l.length >= columns ? l.slice(0, columns - 1) : l));
    this.out.write(this.clear() + lines.join("\n") + "\n");
    this.#lines = lines.length;
  }

  /** Prints lines above the live frame, which is redrawn below them by the next draw(). */
  printAbove(text: string, frame: string): void {
    this.out.write(this.clear() + text.replace(/\n?$/, "\n"));
    this.#lines = 0;
    this.draw(frame);
  }

  /** Forgets the frame: it stays on screen as ordinary output. */
  done(): void {
    this.#lines = 0;
  }

  private clear(): string {
    // ESC[nA: up n lines; \r: column 0; ESC[J: clear to the end of the screen.
    return this.#lines > 0 ? `\x1b[${this.#lines}A\r\x1b[J` : "";
  }
}
