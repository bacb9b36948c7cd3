// Connecting to the cluster the way kubectl does: --kubeconfig (else KUBECONFIG, else
// ~/.kube/config, else in-cluster), --context, and the namespace from -n or the context.
// Failures become CliErrors that say what to fix (no kubeconfig, unknown context, no cluster).

import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { KubeClient } from "../../../kube/client/kube-client.js";
import { apiError, usageError } from "../errors.js";

export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export interface Cluster {
  kubeConfig: KubeConfig;
  client: KubeClient;
  /** The namespace commands act in (-n, else the context's namespace, else "default"). */
  namespace: string;
  /** The apiserver URL, for error messages. */
  server: string;
}

export function loadKubeConfigFor(opts: ClusterOptions, env: Record<string, string | undefined>): KubeConfig {
  const kc = new KubeConfig();
  const explicit = opts.kubeconfig;
  if (explicit) {
    if (!existsSync(explicit)) throw usageError(`kubeconfig ${explicit} does not exist`, "pass an existing file with --kubeconfig");
    loadFile(kc, explicit);
  } else if (env.KUBECONFIG) {
    const paths = env.KUBECONFIG.split(process.platform === "win32" ? ";" : ":").filter(Boolean);
    const present = paths.filter((p) => existsSync(p));
    if (present.length === 0) {
      throw apiError(`no cluster configured: KUBECONFIG=${env.KUBECONFIG} names no existing file`, "set KUBECONFIG or pass --kubeconfig");
    }
    if (present.length === 1) loadFile(kc, present[0]!);
    // Several files: client-node merges them like kubectl does (it reads process.env.KUBECONFIG).
    else kc.loadFromDefault();
  } else if (existsSync(join(env.HOME ?? homedir(), ".kube", "config"))) {
    loadFile(kc, join(env.HOME ?? homedir(), ".kube", "config"));
  } else if (env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
  } else {
    throw apiError("no cluster configured: no kubeconfig found", "set KUBECONFIG, pass --kubeconfig, or create ~/.kube/config");
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw usageError(`context "${opts.context}" is not in the kubeconfig`, known.length ? `known contexts: ${known.join(", ")}` : undefined);
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) {
    throw apiError("no cluster configured: the kubeconfig has no current context", "pass --context or run `kubectl config use-context`");
  }
  return kc;
}

function loadFile(kc: KubeConfig, path: string): void {
  try {
    kc.loadFromFile(path);
  } catch (error) {
    throw usageError(`cannot read kubeconfig ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function connectCluster(opts: ClusterOptions, env: Record<string, string | undefined>): Cluster {
  const kubeConfig = loadKubeConfigFor(opts, env);
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return {
    kubeConfig,
    client: new KubeClient(kubeConfig),
    namespace: opts.namespace || contextNamespace || "default",
    server: kubeConfig.getCurrentCluster()?.server ?? "?",
  };
}
