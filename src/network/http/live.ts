/**
 * Open long-lived responses (log follows, long polls). On shutdown every one is told to end,
 * so closing the server never waits for a client.
 */
export class Live {
  private readonly enders = new Set<() => void>();
  readonly controller = new AbortController();
  on(ender: () => void): void {
    this.enders.add(ender);
  }
  off(ender: () => void): void {
    this.enders.delete(ender);
  }
  endAll(): void {
    this.controller.abort();
    for (const e of [...this.enders]) e();
    this.enders.clear();
  }
}
