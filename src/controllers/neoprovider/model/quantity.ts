// Kubernetes resource quantities (resource.Quantity) as numbers. CPU is counted in millicores,
// everything else in base units (bytes, devices). Exact enough for capacity arithmetic: values
// are rounded up to the unit, as the scheduler does.

const QUANTITY_RE = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

const SUFFIX: Record<string, number> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** "1.5" -> 1.5, "500m" -> 0.5, "4Gi" -> 4294967296; undefined when not a quantity. */
export function parseQuantity(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  const m = QUANTITY_RE.exec(value.trim());
  if (!m) return undefined;
  const [, sign, digits, suffix = ""] = m;
  const factor = /^[eE][+-]?[0-9]+$/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX[suffix];
  if (factor === undefined) return undefined;
  const n = Number(digits) * factor;
  return sign === "-" ? -n : n;
}

/** CPU quantity -> millicores (rounded up). */
export function cpuMillis(value: string | number | undefined): number {
  const q = parseQuantity(value);
  return q === undefined ? 0 : Math.ceil(q * 1000 - 1e-9);
}

/** Any other quantity -> integer base units (bytes, devices), rounded up. */
export function quantityUnits(value: string | number | undefined): number {
  const q = parseQuantity(value);
  return q === undefined ? 0 : Math.ceil(q - 1e-9);
}

/** Millicores -> the shortest exact CPU quantity ("2", "500m"). */
export function formatCpuMillis(millis: number): string {
  const m = Math.max(0, Math.round(millis));
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** Bytes -> the largest binary unit that divides it exactly ("4Gi", "1536Mi", "1000"). */
export function formatBytes(bytes: number): string {
  const b = Math.max(0, Math.floor(bytes));
  for (const [unit, f] of [["Ti", 2 ** 40], ["Gi", 2 ** 30], ["Mi", 2 ** 20], ["Ki", 2 ** 10]] as const) {
    if (b >= f && b % f === 0) return `${b / f}${unit}`;
  }
  return String(b);
}
