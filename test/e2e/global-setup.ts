// Starts one real control plane for the whole e2e run (building the binaries first if
// they are missing), or uses the cluster KUBECONFIG points at when
// NEO_E2E_USE_EXISTING_CLUSTER=1. Tests read the kubeconfig path through inject().
import { mkdirSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureBinaries } from "../../src/devcluster/build.js";
import { startControlPlane } from "../../src/devcluster/control-plane.js";
import { reapOrphans } from "../../src/devcluster/processes.js";
import { cacheDir, type BinaryPaths } from "../../src/devcluster/versions.js";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfigPath: string;
    binaries: BinaryPaths;
    existingCluster: boolean;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binaries = await ensureBinaries();
  project.provide("binaries", binaries);

  if (process.env.NEO_E2E_USE_EXISTING_CLUSTER === "1") {
    const kubeconfigPath = process.env.KUBECONFIG || join(homedir(), ".kube", "config");
    project.provide("kubeconfigPath", kubeconfigPath);
    project.provide("existingCluster", true);
    return async () => {};
  }

  const runsDir = join(cacheDir(), "runs");
  const reaped = await reapOrphans(runsDir);
  if (reaped.length > 0) process.stderr.write(`[e2e] cleaned up ${reaped.length} control plane(s) left by killed runs\n`);
  mkdirSync(runsDir, { recursive: true });
  const dir = join(runsDir, `${process.pid}-${Date.now()}`);
  const cp = await startControlPlane({ dir, ownerPid: process.pid });
  project.provide("kubeconfigPath", cp.kubeconfigPath);
  project.provide("existingCluster", false);
  process.env.KUBECONFIG = cp.kubeconfigPath;

  return async () => {
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
