// deploy/ (kustomize) stays equal to the chart's defaults, and the apiserver accepts it.
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { DEPLOY_API_VERSIONS, helmTemplate, renderDeployFiles, withoutHelmLabels, type K8sObject } from "../../src/chart/deploy.js";
import { DEPLOY_DIR, DEPLOY_NAMESPACE, REPO_ROOT } from "../../src/chart/paths.js";
import { coreApi, kubectl } from "../helpers/cluster.js";

function objects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}
const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

describe("deploy/ (kustomize)", () => {
  const helmOut = helmTemplate(["--include-crds", ...DEPLOY_API_VERSIONS], inject("binaries").helm);

  it("the committed files are what `npm run generate:chart` writes from helm template", () => {
    const expected = renderDeployFiles(helmTemplate(DEPLOY_API_VERSIONS, inject("binaries").helm));
    for (const [path, content] of expected) {
      expect(existsSync(path), `${relative(REPO_ROOT, path)} missing: npm run generate:chart`).toBe(true);
      expect(readFileSync(path, "utf8"), relative(REPO_ROOT, path)).toBe(content);
    }
  });

  it("kubectl kustomize deploy/ yields exactly the chart's default objects (plus the namespace)", async () => {
    const built = await kubectl(["kustomize", DEPLOY_DIR]);
    expect(built.stderr).toBe("");
    const fromKustomize = new Map(objects(built.stdout).map((o) => [key(o), o]));
    const fromHelm = new Map(objects(helmOut).map((o) => [key(o), withoutHelmLabels(o)]));
    expect(fromKustomize.get(`Namespace//${DEPLOY_NAMESPACE}`)).toBeDefined();
    fromKustomize.delete(`Namespace//${DEPLOY_NAMESPACE}`);
    expect([...fromKustomize.keys()].sort()).toEqual([...fromHelm.keys()].sort());
    for (const [k, o] of fromHelm) expect(fromKustomize.get(k), k).toEqual(o);
  });

  describe("against the apiserver", () => {
    afterAll(async () => {
      await coreApi().deleteNamespace({ name: DEPLOY_NAMESPACE }).catch(() => undefined);
    });

    it("kubectl apply --dry-run=server -k deploy/ accepts every object", async () => {
      // A dry-run Namespace is not created, so the objects inside it need the real one.
      await kubectl(["create", "namespace", DEPLOY_NAMESPACE]);
      await kubectl(["apply", "--server-side", "--force-conflicts", "-f", join(DEPLOY_DIR, "crds")]);
      const r = await kubectl(["apply", "--dry-run=server", "--server-side", "--force-conflicts", "-k", DEPLOY_DIR]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const count = objects((await kubectl(["kustomize", DEPLOY_DIR])).stdout).length;
      expect(r.stdout.match(/\(server dry run\)/g)?.length).toBe(count);
    });
  });
});
