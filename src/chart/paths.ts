import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CHART_DIR = join(REPO_ROOT, "helm", "neoengine-operator");
export const DEPLOY_DIR = join(REPO_ROOT, "deploy");
export const CRD_SOURCE_DIR = join(REPO_ROOT, "crds");

/** deploy/ is `helm template` of the chart's defaults with this release name and namespace. */
export const DEPLOY_RELEASE = "neoengine-operator";
export const DEPLOY_NAMESPACE = "neoengine-system";
