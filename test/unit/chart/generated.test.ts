// The chart's generated files are up to date, and values.yaml agrees with the zod schema.
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CHART_DIR, REPO_ROOT } from "../../../src/chart/paths.js";
import { renderGeneratedFiles } from "../../../src/chart/render.js";
import { chartValuesSchema } from "../../../src/chart/values.js";
import { renderCrdFiles } from "../../../src/api/generate.js";
import { withValuesTable } from "../../../src/chart/values-table.js";
import { plainRuleGroups } from "../../../src/metrics/dashboard/alerts.js";

describe("generated chart files", () => {
  for (const [path, content] of renderGeneratedFiles()) {
    it(`${relative(REPO_ROOT, path)} is up to date (npm run generate:chart)`, () => {
      expect(existsSync(path), `${path} missing: run npm run generate:chart`).toBe(true);
      expect(readFileSync(path, "utf8")).toBe(content);
    });
  }

  it("the chart's CRDs are exactly what src/api generates", () => {
    for (const [name, content] of renderCrdFiles()) {
      expect(readFileSync(join(CHART_DIR, "crds", name), "utf8"), name).toBe(content);
    }
  });
});

describe("chart values", () => {
  const valuesYaml = parse(readFileSync(join(CHART_DIR, "values.yaml"), "utf8")) as Record<string, unknown>;

  it("values.yaml holds exactly the schema's defaults", () => {
    expect(chartValuesSchema.parse(valuesYaml)).toEqual(valuesYaml);
    expect(chartValuesSchema.parse({})).toEqual(valuesYaml);
  });

  it("rejects bad values with the field named", () => {
    const bad = (v: unknown) => {
      const r = chartValuesSchema.safeParse(v);
      return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
    };
    expect(bad({ replicaCount: 0 })).toContain("replicaCount");
    expect(bad({ replicaCount: 2, leaderElection: { enabled: false } })).toContain("replicaCount");
    expect(bad({ neoengine: { token: "t", existingSecret: "s" } })).toContain("neoengine.existingSecret");
    expect(bad({ image: { pullPolicy: "Sometimes" } })).toContain("image.pullPolicy");
    expect(bad({ serviceMonitor: { interval: "soon" } })).toContain("serviceMonitor.interval");
    expect(bad({ unknownKey: 1 })).toEqual([""]);
    expect(bad({ provider: { enabled: true, spec: { prices: { gpu: { "nvidia-a100": "cheap" } } } } })).toContain("provider.spec.prices.gpu.nvidia-a100");
  });

  it("values.schema.json is draft-07 and closed (typos are errors)", () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, "values.schema.json"), "utf8")) as Record<string, unknown>;
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.additionalProperties).toBe(false);
    expect(JSON.stringify(schema)).not.toContain("x-kubernetes-");
  });
});

describe("docs/install.md", () => {
  it("holds the values table generated from the schema (npm run generate:chart)", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs", "install.md"), "utf8");
    expect(doc).toBe(withValuesTable(doc));
    expect(doc).toContain("| `neoengine.existingSecret` | string |");
  });

  it("lists every alert", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs", "install.md"), "utf8");
    for (const rule of plainRuleGroups().groups[0]!.rules) expect(doc, rule.alert).toContain(`| \`${rule.alert}\` |`);
  });

  it("shows dashboard PNGs that exist", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs", "install.md"), "utf8");
    const images = [...doc.matchAll(/!\[[^\]]*\]\((img\/[^)]+)\)/g)].map((m) => m[1]!);
    expect(images.length).toBeGreaterThanOrEqual(5);
    for (const img of images) expect(existsSync(join(REPO_ROOT, "docs", img)), img).toBe(true);
  });
});
