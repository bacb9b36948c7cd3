// metav1.MicroTime: RFC 3339 with exactly six fractional digits ("2026-01-15T12:00:00.123000Z").
// The apiserver parses it with Go's RFC3339Micro layout and rejects the three digits that a JS
// Date's toISOString() produces, so Lease and events.k8s.io times must go through here.

export function formatMicroTime(time: Date | number): string {
  const d = typeof time === "number" ? new Date(time) : time;
  if (Number.isNaN(d.getTime())) throw new RangeError("invalid time");
  // toISOString is always UTC "YYYY-MM-DDTHH:mm:ss.sssZ"; JS has millisecond precision only.
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

const MICRO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Parses a MicroTime (or any RFC 3339 time) to epoch milliseconds; sub-millisecond digits are dropped. */
export function parseMicroTime(value: string | Date): number {
  if (value instanceof Date) return value.getTime();
  const m = MICRO_TIME.exec(value);
  if (!m) throw new RangeError(`not an RFC 3339 time: ${value}`);
  const ms = (m[2] ?? "").padEnd(3, "0").slice(0, 3);
  const t = Date.parse(`${m[1]}.${ms}${m[3]}`);
  if (Number.isNaN(t)) throw new RangeError(`not an RFC 3339 time: ${value}`);
  return t;
}
