// The Dockerfile can't be built here (no Docker engine); this keeps it consistent with the
// package and the chart: every bin wrapper points at the file package.json names, the runtime
// stage is non-root with the UID the chart's securityContext uses, and ships no sources.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../src/chart/paths.js";
import { OPERATOR_ENV, OPERATOR_NODE_FLAGS } from "../../../src/operator/runtime.js";

const dockerfile = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages[stages.length - 1]!;
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };

describe("Dockerfile", () => {
  it("is multi-stage on a Node 20 slim base", () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-[a-z]+-slim$/m);
  });

  it("runtime: non-root UID 65532 (the chart's runAsUser), production node_modules, no sources", () => {
    expect(runtime).toMatch(/^USER 65532:65532$/m);
    expect(runtime).toMatch(/^COPY --from=deps \/tmp\/prod-node_modules \.\/node_modules$/m);
    expect(runtime).not.toMatch(/^COPY (--from=build )?(\/app\/)?src /m);
    expect(runtime).toMatch(/^ENTRYPOINT \["neoengine-operator"\]$/m);
    const chartDeployment = readFileSync(join(REPO_ROOT, "helm/neoengine-operator/templates/_helpers.tpl"), "utf8");
    expect(chartDeployment).toContain("runAsUser: 65532");
  });

  it("wraps every bin of package.json", () => {
    const wrappers = /for bin in ([^;]+); do/.exec(runtime)?.[1]?.trim().split(/\s+/) ?? [];
    const mapped = Object.fromEntries(wrappers.map((w) => [w.split(":")[0]!, `dist/src/${w.split(":")[1]!}`]));
    expect(mapped).toEqual(pkg.bin);
  });

  it("runs the operator with the runtime settings of src/operator/runtime.ts (what the benchmark measures)", () => {
    const wrapper = /printf '(#!\/bin\/sh[^']*)' > \/usr\/local\/bin\/neoengine-operator/.exec(runtime)?.[1] ?? "";
    expect(wrapper, "a dedicated neoengine-operator wrapper").not.toBe("");
    expect(wrapper).toContain(`exec node ${OPERATOR_NODE_FLAGS.join(" ")} /app/dist/src/${pkg.bin["neoengine-operator"]!.replace(/^dist\/src\//, "")} "$@"`);
    for (const [name, value] of Object.entries(OPERATOR_ENV)) expect(wrapper).toContain(`export ${name}="\${${name}:-${value}}"`);
  });
});
