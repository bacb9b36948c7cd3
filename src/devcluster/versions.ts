import { readFileSync, existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, found from this file whether it runs from src/ or dist/src/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "scripts", "control-plane"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the neoengine-operator repository root");
    dir = parent;
  }
  return dir;
}

export interface Versions {
  K8S_VERSION: string;
  ETCD_VERSION: string;
  KWOK_VERSION: string;
  HELM_VERSION: string;
}

/** Pinned versions from scripts/control-plane/versions.env, each overridable by the environment. */
export function versions(env: NodeJS.ProcessEnv = process.env): Versions {
  const pinned: Record<string, string> = {};
  for (const line of readFileSync(join(repoRoot(), "scripts/control-plane/versions.env"), "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) pinned[m[1]!] = m[2]!;
  }
  const pick = (k: keyof Versions): string => env[k] || pinned[k] || "";
  return {
    K8S_VERSION: pick("K8S_VERSION"),
    ETCD_VERSION: pick("ETCD_VERSION"),
    KWOK_VERSION: pick("KWOK_VERSION"),
    HELM_VERSION: pick("HELM_VERSION"),
  };
}

/** Where built binaries are cached: outside the repository, keyed by component and version. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.NEO_CACHE_DIR || join(homedir(), ".cache", "neoengine-operator");
}

export interface BinaryPaths {
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
  etcd: string;
  kwok: string;
  helm: string;
}

export function binaryPaths(env: NodeJS.ProcessEnv = process.env): BinaryPaths {
  const v = versions(env);
  const c = cacheDir(env);
  const k8s = join(c, `kubernetes-${v.K8S_VERSION}`, "bin");
  return {
    kubeApiserver: join(k8s, "kube-apiserver"),
    kubeControllerManager: join(k8s, "kube-controller-manager"),
    kubeScheduler: join(k8s, "kube-scheduler"),
    kubectl: join(k8s, "kubectl"),
    etcd: join(c, `etcd-${v.ETCD_VERSION}`, "bin", "etcd"),
    kwok: join(c, `kwok-${v.KWOK_VERSION}`, "bin", "kwok"),
    helm: join(c, `helm-${v.HELM_VERSION}`, "bin", "helm"),
  };
}
