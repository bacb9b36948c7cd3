import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createOperatorMetrics } from "../../../src/metrics/index.js";

interface DocRow {
  type: string;
  labels: string[];
}

function documentedMetrics(): Map<string, DocRow> {
  const text = readFileSync(join(import.meta.dirname, "../../../docs/metrics.md"), "utf8");
  const rows = new Map<string, DocRow>();
  for (const line of text.split("\n")) {
    const match = /^\|\s*`([a-z_:][a-z0-9_:]*)`\s*\|\s*(\w+)\s*\|([^|]*)\|/.exec(line);
    if (!match) continue;
    const [, name, type, labels] = match;
    if (rows.has(name!)) throw new Error(`docs/metrics.md lists ${name} twice`);
    rows.set(name!, { type: type!, labels: [...labels!.matchAll(/`([^`]+)`/g)].map((l) => l[1]!) });
  }
  return rows;
}

describe("docs/metrics.md", () => {
  it("lists exactly the registered metrics, with their types and labels", async () => {
    const om = createOperatorMetrics();
    const registered = new Map<string, DocRow>();
    for (const metric of await om.registry.getMetricsAsJSON()) {
      const labelNames = (om.registry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames ?? [];
      registered.set(metric.name, { type: String(metric.type), labels: [...labelNames] });
    }
    const documented = documentedMetrics();
    expect([...documented.keys()].sort()).toEqual([...registered.keys()].sort());
    for (const [name, row] of registered) {
      expect(documented.get(name), name).toEqual(row);
    }
  });
});
