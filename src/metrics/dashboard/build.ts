// Grafana dashboard JSON from panels.ts: stable uid, a datasource variable (no __inputs, so the
// file can be provisioned by the Grafana sidecar as-is), one collapsed-free row per group.

import { DASHBOARD_ROWS, type PanelSpec } from "./panels.js";

export const DASHBOARD_UID = "neoengine-operator";
export const DASHBOARD_TITLE = "NeoEngine operator";

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };
const WIDTH = 24;

function panelJson(panel: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }) {
  const targets = panel.queries.map((query, i) => ({
    datasource: DATASOURCE,
    expr: query.expr,
    legendFormat: query.legend,
    range: true,
    refId: String.fromCharCode(65 + i),
  }));
  const base = { id, type: panel.kind, title: panel.title, description: panel.description, datasource: DATASOURCE, gridPos, targets };
  if (panel.kind === "stat") {
    return {
      ...base,
      fieldConfig: { defaults: { unit: panel.unit, color: { mode: "thresholds" }, thresholds: { mode: "absolute", steps: [{ color: "green", value: null }] } }, overrides: [] },
      options: { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false }, colorMode: "value", graphMode: "area", textMode: "auto" },
    };
  }
  return {
    ...base,
    fieldConfig: {
      defaults: {
        unit: panel.unit,
        color: { mode: "palette-classic" },
        custom: { drawStyle: "line", lineWidth: 1, fillOpacity: panel.stacked ? 30 : 10, showPoints: "never", stacking: { mode: panel.stacked ? "normal" : "none", group: "A" } },
      },
      overrides: [],
    },
    options: { legend: { displayMode: "list", placement: "bottom", showLegend: true }, tooltip: { mode: "multi", sort: "desc" } },
  };
}

export function buildDashboard(): Record<string, unknown> {
  const panels: unknown[] = [];
  let id = 1;
  let y = 0;
  for (const row of DASHBOARD_ROWS) {
    panels.push({ id: id++, type: "row", title: row.title, collapsed: false, gridPos: { x: 0, y, w: WIDTH, h: 1 }, panels: [] });
    y += 1;
    let x = 0;
    for (const panel of row.panels) {
      const w = panel.kind === "stat" ? 4 : 8;
      if (x + w > WIDTH) {
        x = 0;
        y += 8;
      }
      panels.push(panelJson(panel, id++, { x, y, w, h: 8 }));
      x += w;
    }
    y += 8;
  }
  return {
    uid: DASHBOARD_UID,
    title: DASHBOARD_TITLE,
    description: "NeoEngine operator: reconciliation, NeoEngine API and rate budget, NeoJobs, wallet, market, providers. Generated from src/metrics/dashboard.",
    tags: ["neoengine", "operator", "kubernetes"],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: "30s",
    time: { from: "now-1h", to: "now" },
    timezone: "",
    annotations: { list: [] },
    links: [],
    templating: {
      list: [
        {
          name: "datasource",
          label: "Data source",
          type: "datasource",
          query: "prometheus",
          current: {},
          hide: 0,
          refresh: 1,
          regex: "",
          includeAll: false,
          multi: false,
          options: [],
        },
      ],
    },
    panels,
  };
}

/** The file the chart ships (stable key order and a trailing newline so diffs stay small). */
export function renderDashboardJson(): string {
  return JSON.stringify(buildDashboard(), null, 2) + "\n";
}
