import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CRD_DIR, renderCrdFiles } from "../../../src/api/generate.js";
import { toStructural, StructuralSchemaError } from "../../../src/api/structural.js";

type Schema = Record<string, unknown>;

function walk(schema: Schema, visit: (s: Schema, path: string) => void, path = ""): void {
  visit(schema, path);
  const props = schema.properties as Record<string, Schema> | undefined;
  for (const [k, v] of Object.entries(props ?? {})) walk(v, visit, `${path}.${k}`);
  if (schema.items) walk(schema.items as Schema, visit, `${path}[]`);
  if (typeof schema.additionalProperties === "object") walk(schema.additionalProperties as Schema, visit, `${path}[*]`);
}

describe("generated CRDs", () => {
  const rendered = renderCrdFiles();

  it("are committed and up to date (run `npm run generate` when this fails)", () => {
    const committed = readdirSync(CRD_DIR).filter((f) => f.endsWith(".neoengine.dev.yaml")).sort();
    expect(committed).toEqual([...rendered.keys()].sort());
    for (const [name, content] of rendered) {
      expect(readFileSync(join(CRD_DIR, name), "utf8"), `crds/${name} is stale`).toBe(content);
    }
  });

  for (const [name, content] of rendered) {
    it(`${name} is structural and documented`, () => {
      const crd = parse(content);
      const root = crd.spec.versions[0].schema.openAPIV3Schema as Schema;
      const problems: string[] = [];
      walk(root, (s, path) => {
        for (const bad of ["$ref", "$defs", "anyOf", "oneOf", "allOf", "const"]) if (bad in s) problems.push(`${path}: ${bad}`);
        const typed = "type" in s || s["x-kubernetes-int-or-string"] === true || s["x-kubernetes-preserve-unknown-fields"] === true;
        if (!typed) problems.push(`${path}: no type`);
        if (s.properties && s.additionalProperties) problems.push(`${path}: properties and additionalProperties`);
      });
      for (const part of ["spec", "status"]) {
        walk((root.properties as Record<string, Schema>)[part]!, (s, path) => {
          const isItem = path.endsWith("[]") || path.endsWith("[*]");
          if (!isItem && typeof s.description !== "string") problems.push(`${part}${path}: no description`);
        });
      }
      expect(problems).toEqual([]);
      expect(crd.spec.versions[0].subresources).toEqual({ status: {} });
    });
  }

  it("NeoJob: names, scope and printer columns", () => {
    const crd = parse(rendered.get("neojobs.neoengine.dev.yaml")!);
    expect(crd.spec.scope).toBe("Namespaced");
    expect(crd.spec.names.shortNames).toEqual(["nj"]);
    const cols = crd.spec.versions[0].additionalPrinterColumns.map((c: { name: string }) => c.name.toUpperCase());
    expect(cols).toEqual(["PHASE", "PROGRESS", "PROVIDER", "JOB-ID", "COST", "AGE"]);
    const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    expect(spec.properties.resources.properties.memory["x-kubernetes-int-or-string"]).toBe(true);
    expect(spec.properties.deletionPolicy.default).toBe("Cancel");
  });

  it("NeoProvider: names, scope and printer columns", () => {
    const crd = parse(rendered.get("neoproviders.neoengine.dev.yaml")!);
    expect(crd.spec.scope).toBe("Cluster");
    expect(crd.spec.names.shortNames).toEqual(["np"]);
    const cols = crd.spec.versions[0].additionalPrinterColumns.map((c: { name: string }) => c.name.toUpperCase());
    expect(cols).toEqual(["NODES", "GPUS", "FREE", "RUNNING", "EARNINGS", "AGE"]);
    expect(crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.allowRootContainers.default).toBe(false);
  });
});

describe("toStructural", () => {
  it("rejects $ref and unsupported unions, and requires descriptions", () => {
    expect(() => toStructural({ type: "object", properties: { a: { $ref: "#/x", description: "a" } } })).toThrow(StructuralSchemaError);
    expect(() =>
      toStructural({ type: "object", properties: { a: { anyOf: [{ type: "string" }, { type: "boolean" }], description: "a" } } }),
    ).toThrow(/integer\|string/);
    expect(() => toStructural({ type: "object", properties: { a: { type: "string" } } })).toThrow(/description/);
  });

  it("maps int|string to int-or-string and open objects to preserve-unknown-fields", () => {
    const out = toStructural({
      type: "object",
      properties: {
        q: { anyOf: [{ type: "integer" }, { type: "string" }], description: "q" },
        o: { type: "object", properties: { x: { type: "string", description: "x" } }, additionalProperties: {}, description: "o" },
        u: { description: "u" },
      },
    });
    const props = out.properties as Record<string, Schema>;
    expect(props.q).toEqual({ description: "q", "x-kubernetes-int-or-string": true });
    expect(props.o!["x-kubernetes-preserve-unknown-fields"]).toBe(true);
    expect(props.o!.additionalProperties).toBeUndefined();
    expect(props.u!["x-kubernetes-preserve-unknown-fields"]).toBe(true);
  });
});
