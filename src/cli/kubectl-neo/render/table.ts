// kubectl-style tables: upper-case headers, columns padded to the widest cell, three spaces
// between columns, no trailing whitespace.

const GAP = "   ";

/** Visible width of a cell (ANSI colour codes take no room). */
export function visibleWidth(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "").length;
}

/** `minWidths` keeps columns aligned across tables printed one row at a time (get -w in a pipe). */
export function renderTable(headers: string[], rows: string[][], minWidths: number[] = []): string {
  const widths = headers.map((h, i) => Math.max(minWidths[i] ?? 0, visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + " ".repeat(widths[i]! - visibleWidth(cell))))
      .join(GAP)
      .replace(/\s+$/, "");
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
}

/** Two columns of "Key:  value" lines, for single objects (wallet, stats, results). */
export function renderFields(fields: [string, string][]): string {
  const width = Math.max(...fields.map(([k]) => k.length + 1));
  return fields.map(([k, v]) => `${(k + ":").padEnd(width)}  ${v}`).join("\n") + "\n";
}
