// Finds how the operator is configured, so the plugin uses the same token Secret and URL: the
// --token-secret and --neoengine-url (or NEOENGINE_TOKEN_SECRET / NEOENGINE_URL env values) of
// the operator's Deployment, located by the chart's labels.

import { statusCodeOf } from "../../../kube/client/errors.js";
import type { ResourceType } from "../../../kube/client/resource.js";
import type { Cluster } from "./cluster.js";

const deployments: ResourceType = { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments", namespaced: true };
export const OPERATOR_SELECTOR = "app.kubernetes.io/name=neoengine-operator";
/** Where the chart and deploy/ install the operator: searched when listing all namespaces is not allowed. */
const DEFAULT_NAMESPACE = "neoengine-system";

export interface OperatorConfig {
  /** namespace/name of the Deployment it was read from. */
  deployment: string;
  tokenSecret?: string;
  url?: string;
}

interface Container {
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string }[];
}

interface Deployment {
  metadata: { name: string; namespace: string };
  spec?: { template?: { spec?: { containers?: Container[] } } };
}

/** The value of `--flag=value` or `--flag value` in an argument list. */
export function flagValue(args: string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
    if (arg === flag) return args[i + 1];
  }
  return undefined;
}

export function configOf(deployment: Deployment): OperatorConfig | undefined {
  for (const c of deployment.spec?.template?.spec?.containers ?? []) {
    const args = [...(c.command ?? []), ...(c.args ?? [])];
    const env = Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
    const tokenSecret = flagValue(args, "--token-secret") ?? env.NEOENGINE_TOKEN_SECRET;
    const url = flagValue(args, "--neoengine-url") ?? env.NEOENGINE_URL;
    if (tokenSecret || url) {
      return { deployment: `${deployment.metadata.namespace}/${deployment.metadata.name}`, tokenSecret, url };
    }
  }
  return undefined;
}

/** The first operator Deployment with a token Secret or URL; undefined when none can be seen. */
export async function findOperatorConfig(cluster: Cluster): Promise<OperatorConfig | undefined> {
  let items: Deployment[];
  try {
    items = (await cluster.client.list<Deployment>(deployments, { labelSelector: OPERATOR_SELECTOR })).items;
  } catch (error) {
    const code = statusCodeOf(error);
    if (code === undefined) throw error; // no cluster: the caller explains
    if (code !== 403) return undefined;
    // Not allowed cluster-wide: try where the chart installs it.
    try {
      items = (await cluster.client.list<Deployment>(deployments, { namespace: DEFAULT_NAMESPACE, labelSelector: OPERATOR_SELECTOR })).items;
    } catch {
      return undefined;
    }
  }
  // Several operators (say one per team): prefer the one in the command's namespace, then the
  // chart's default namespace, then by name, so the choice is predictable.
  const rank = (d: Deployment) => (d.metadata.namespace === cluster.namespace ? 0 : d.metadata.namespace === DEFAULT_NAMESPACE ? 1 : 2);
  items.sort(
    (a, b) => rank(a) - rank(b) || `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
  );
  for (const d of items) {
    const config = configOf(d);
    if (config) return config;
  }
  return undefined;
}
