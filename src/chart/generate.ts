// `npm run generate:chart`: writes every generated file of the chart and deploy/.
// test/unit/chart checks the helm-free files are up to date; test/e2e/helm-deploy checks deploy/.

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderDeployFiles } from "./deploy.js";
import { DEPLOY_DIR, REPO_ROOT } from "./paths.js";
import { renderGeneratedFiles } from "./render.js";
import { withValuesTable } from "./values-table.js";

export function writeFiles(files: Map<string, string>): string[] {
  const written: string[] = [];
  for (const [path, content] of files) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    written.push(path);
  }
  return written;
}

function main(): void {
  // Helm-free files first: helm template reads the generated prometheusrule.yaml and dashboard.
  const written = writeFiles(renderGeneratedFiles());
  const deploy = renderDeployFiles();
  // Drop deploy/ manifests a removed template left behind (deploy/prometheus is separate).
  for (const name of readdirSync(DEPLOY_DIR)) {
    const path = join(DEPLOY_DIR, name);
    if (name.endsWith(".yaml") && !deploy.has(path)) rmSync(path);
  }
  written.push(...writeFiles(deploy));
  const installDoc = join(REPO_ROOT, "docs", "install.md");
  writeFileSync(installDoc, withValuesTable(readFileSync(installDoc, "utf8")));
  written.push(installDoc);
  for (const path of written) console.log(`wrote ${relative(REPO_ROOT, path)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
