// -o json|yaml: the exact objects, for scripts; tables are for people.

import { stringify } from "yaml";
import { usageError } from "../errors.js";

export const OUTPUT_FORMATS = ["table", "wide", "json", "yaml"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat(value: string | undefined, allowed: readonly OutputFormat[] = OUTPUT_FORMATS): OutputFormat {
  const format = (value ?? "table") as OutputFormat;
  if (!allowed.includes(format)) {
    throw usageError(`-o must be one of ${allowed.join(", ")}, got "${value}"`);
  }
  return format;
}

export function renderData(value: unknown, format: "json" | "yaml"): string {
  return format === "json" ? JSON.stringify(value, null, 2) + "\n" : stringify(value, { lineWidth: 0 });
}

export function isMachineFormat(format: OutputFormat): format is "json" | "yaml" {
  return format === "json" || format === "yaml";
}

/** "0.750000" → "0.75", "2.000000" → "2": the network's fixed six decimals are noise in a table. */
export function credits(value: string): string {
  if (!/^-?[0-9]+\.[0-9]+$/.test(value)) return value;
  return value.replace(/0+$/, "").replace(/\.$/, "");
}
