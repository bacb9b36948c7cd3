import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createOperatorMetrics } from "../../../src/metrics/index.js";
import { plainRuleGroups } from "../../../src/metrics/dashboard/alerts.js";
import { buildDashboard, DASHBOARD_UID } from "../../../src/metrics/dashboard/build.js";
import { allPanels } from "../../../src/metrics/dashboard/panels.js";

const run = promisify(execFile);

interface Target {
  expr: string;
  datasource: { uid: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: Target[];
  gridPos: { x: number; y: number; w: number; h: number };
}

describe("Grafana dashboard", () => {
  const dashboard = buildDashboard() as { uid: string; templating: { list: { name: string; type: string }[] }; panels: Panel[] };

  it("has a stable uid, a datasource variable and no __inputs", () => {
    expect(dashboard.uid).toBe(DASHBOARD_UID);
    expect(dashboard).not.toHaveProperty("__inputs");
    expect(JSON.stringify(dashboard)).not.toContain("DS_PROMETHEUS");
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: "datasource", type: "datasource", query: "prometheus" }));
  });

  it("every query panel uses the datasource variable; no two panels overlap", () => {
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      if (panel.type !== "row") {
        expect(panel.datasource?.uid, panel.title).toBe("${datasource}");
        expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
        for (const t of panel.targets!) expect(t.datasource.uid).toBe("${datasource}");
      }
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          const cell = `${i},${j}`;
          expect(cells.has(cell), `${panel.title} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
    }
  });

  it("every query is valid PromQL (promtool check rules on them as recording rules)", async () => {
    const rules = allPanels().flatMap((p, i) =>
      p.queries.map((q, j) => ({ record: `dashboard:panel${i}_${j}`, expr: q.expr.replaceAll("$__rate_interval", "5m") })),
    );
    const dir = mkdtempSync(join(tmpdir(), "dashboard-promql-"));
    try {
      const file = join(dir, "queries.yaml");
      writeFileSync(file, stringify({ groups: [{ name: "dashboard", rules }] }));
      const { stdout } = await run("promtool", ["check", "rules", file]);
      expect(stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("queries and alerts only use registered metrics, and every domain metric is on the dashboard or in an alert", async () => {
    const om = createOperatorMetrics();
    const registered = new Set((await om.registry.getMetricsAsJSON()).map((m) => m.name));
    registered.add("up");
    const exprs = [...allPanels().flatMap((p) => p.queries.map((q) => q.expr)), ...plainRuleGroups().groups[0]!.rules.map((r) => r.expr)];
    const used = new Set<string>();
    for (const expr of exprs) {
      for (const [, name] of expr.matchAll(/\b([a-z_][a-z0-9_]*)\{/g)) {
        const base = name!.replace(/_(bucket|sum|count)$/, "");
        expect(registered.has(name!) || registered.has(base), `${name} in ${expr}`).toBe(true);
        used.add(registered.has(name!) ? name! : base);
      }
    }
    // Diagnostics only: shown in docs/metrics.md, not worth a panel.
    const offDashboard = new Set([
      "controller_runtime_active_workers",
      "neoengine_informer_relists_total",
      "neoengine_informer_watch_restarts_total",
      "neoengine_events_dropped_total",
    ]);
    const domain = [...registered].filter((n) => /^(controller_runtime|workqueue|leader_election|neoengine)_/.test(n) && !offDashboard.has(n));
    expect(domain.filter((n) => !used.has(n))).toEqual([]);
  });
});
