import type { KubeConfig } from "@kubernetes/client-node";

// @kubernetes/client-node 1.3 builds a new https.Agent for every request
// (KubeConfig.applySecurityAuthentication → createAgent), so every apiserver call pays a new
// TCP + TLS handshake (with client-certificate auth). Under load that dominates the operator's
// CPU and memory churn. This gives the operator's KubeConfig one keep-alive agent per cluster,
// without touching src/kube: the credentials in the agent options (CA, client cert/key) are the
// same for every request of one KubeConfig; bearer tokens travel as headers, not agent options.
// It relies on the runtime method createAgent (private in the typings), checked below.

type AgentFactory = (cluster: { server?: string } | null, options: Record<string, unknown>) => unknown;

const shared = new WeakSet<KubeConfig>();

export function useKeepAliveAgent(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as { createAgent?: AgentFactory };
  if (shared.has(kc) || typeof target.createAgent !== "function") return kc;
  const original = target.createAgent.bind(kc);
  const agents = new Map<string, unknown>();
  target.createAgent = (cluster, options) => {
    const key = cluster?.server ?? "";
    let agent = agents.get(key);
    if (!agent) {
      agent = original(cluster, { ...options, keepAlive: true });
      agents.set(key, agent);
    }
    return agent;
  };
  shared.add(kc);
  return kc;
}
