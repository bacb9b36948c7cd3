// Renders the dashboard panels marked `render` (src/metrics/dashboard/panels.ts) from a real
// Prometheus to PNG with gnuplot (Debian `gnuplot-nox`): one query_range per query, one line
// per series, legends from the panel's legendFormat. Used by test/e2e/prometheus-operator.test.ts
// (always into a temporary directory; into docs/img/ with NEO_RENDER_DASHBOARDS=1).

import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { allPanels, type PanelSpec } from "../../src/metrics/dashboard/panels.js";
import type { RunningPrometheus } from "./prometheus.js";

const run = promisify(execFile);

export interface RenderOptions {
  startSec: number;
  endSec: number;
  stepSec: number;
  /** What $__rate_interval becomes. */
  rateInterval: string;
  outDir: string;
  gnuplot?: string;
}

export interface RenderedPanel {
  panel: string;
  file: string;
  series: number;
}

function legend(format: string, labels: Record<string, string>): string {
  const text = format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => labels[k] ?? "");
  return text.trim() || "value";
}

const UNIT_LABEL: Record<string, string> = {
  s: "seconds",
  ops: "per second",
  reqps: "requests per second",
  bytes: "bytes",
  percentunit: "ratio",
  none: "",
};

/** Titles go out with `noenhanced`, so only the string quoting needs escaping. */
function gnuplotEscape(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

export async function renderPanel(prom: RunningPrometheus, panel: PanelSpec, opts: RenderOptions, file: string): Promise<RenderedPanel> {
  const work = mkdtempSync(join(tmpdir(), "neo-render-"));
  try {
    const plots: string[] = [];
    let n = 0;
    for (const query of panel.queries) {
      const expr = query.expr.replaceAll("$__rate_interval", opts.rateInterval);
      const res = await prom.queryRange(expr, opts.startSec, opts.endSec, opts.stepSec);
      if (res.status !== "success") throw new Error(`${panel.title}: ${expr}: ${res.error}`);
      for (const series of res.data?.result ?? []) {
        const points = (series.values ?? []).filter(([, v]) => Number.isFinite(Number(v)));
        if (points.length === 0) continue;
        const data = join(work, `s${n}.dat`);
        writeFileSync(data, points.map(([t, v]) => `${t - opts.startSec} ${v}`).join("\n") + "\n");
        plots.push(`"${data}" using 1:2 with lines lw 2 title "${gnuplotEscape(legend(query.legend, series.metric))}"`);
        n++;
      }
    }
    const script = [
      `set terminal pngcairo size 900,360 font "DejaVu Sans,10" noenhanced`,
      `set output "${file}"`,
      `set title "${gnuplotEscape(panel.title)}" font "DejaVu Sans,12"`,
      `set xlabel "seconds since start of run"`,
      `set ylabel "${UNIT_LABEL[panel.unit] ?? panel.unit}"`,
      `set grid`,
      `set key outside right top`,
      `set border lc rgb "#555555"`,
      `set xrange [0:${opts.endSec - opts.startSec}]`,
      plots.length > 0 ? `set yrange [0:*]` : `set yrange [0:1]`,
      plots.length > 0 ? `plot ${plots.join(", ")}` : `set label "no data" at graph 0.45,0.5\nplot -1 notitle`,
    ].join("\n");
    writeFileSync(join(work, "plot.gp"), script + "\n");
    await run(opts.gnuplot ?? "gnuplot", [join(work, "plot.gp")]);
    return { panel: panel.title, file, series: n };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Renders every panel with a `render` name to <outDir>/dashboard-<name>.png. */
export async function renderDashboardPngs(prom: RunningPrometheus, opts: RenderOptions): Promise<RenderedPanel[]> {
  mkdirSync(opts.outDir, { recursive: true });
  const out: RenderedPanel[] = [];
  for (const panel of allPanels().filter((p) => p.render)) {
    out.push(await renderPanel(prom, panel, opts, join(opts.outDir, `dashboard-${panel.render}.png`)));
  }
  return out;
}
