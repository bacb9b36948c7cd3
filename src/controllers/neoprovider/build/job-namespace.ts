import {
  JOB_SERVICE_ACCOUNT,
  LIMIT_RANGE_NAME,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  NEOPROVIDER_LABEL,
  NETWORK_POLICY_NAME,
  RESOURCE_QUOTA_NAME,
} from "../labels.js";
import { formatBytes, formatCpuMillis } from "../model/quantity.js";
import { labelValue } from "./job-pod.js";

// The namespace network jobs run in, and the guard rails around it: Pod Security admission at
// "restricted", a ServiceAccount nothing is bound to, a NetworkPolicy that admits no ingress
// and lets jobs reach only DNS and the public internet, a quota and default limits.

/** Private, shared, link-local and loopback ranges a job must never reach. */
export const BLOCKED_IPV4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "127.0.0.0/8"];
/** Unique-local, link-local and loopback. (IPv4-mapped ::ffff:0:0/96 is refused by the API; jobs reach IPv4 only through the IPv4 rule.) */
export const BLOCKED_IPV6 = ["fc00::/7", "fe80::/10", "::1/128"];

export interface JobNamespaceOptions {
  namespace: string;
  neoProviderName: string;
  allowRootContainers: boolean;
  /** Totals over the sold nodes, for the ResourceQuota (jobs can never exceed what was sold). */
  quota: { pods: number; cpuMillis: number; memoryBytes: number; gpus: Partial<Record<string, number>> };
  /** Largest single node, for the LimitRange maximum per container. */
  maxPerContainer: { cpuMillis: number; memoryBytes: number };
}

const managedLabels = (o: JobNamespaceOptions) => ({
  [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
  [NEOPROVIDER_LABEL]: labelValue(o.neoProviderName),
});

export function buildJobNamespace(o: JobNamespaceOptions): Record<string, unknown> {
  // allowRootContainers cannot pass "restricted" (it requires runAsNonRoot): enforce baseline
  // then, and keep warning/auditing against restricted so the gap stays visible.
  const enforce = o.allowRootContainers ? "baseline" : "restricted";
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: o.namespace,
      labels: {
        ...managedLabels(o),
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "latest",
      },
    },
  };
}

export function buildJobServiceAccount(o: JobNamespaceOptions): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: JOB_SERVICE_ACCOUNT, namespace: o.namespace, labels: managedLabels(o) },
    automountServiceAccountToken: false,
  };
}

export function buildJobNetworkPolicy(o: JobNamespaceOptions): Record<string, unknown> {
  const dnsPorts = [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: NETWORK_POLICY_NAME, namespace: o.namespace, labels: managedLabels(o) },
    spec: {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
      // No ingress rule: nothing may connect to a job.
      ingress: [],
      egress: [
        // Name resolution (the cluster DNS lives on a private address, so it needs its own rule).
        { ports: dnsPorts },
        // The public internet, without private, shared, link-local (cloud metadata) and loopback ranges.
        {
          to: [
            { ipBlock: { cidr: "0.0.0.0/0", except: BLOCKED_IPV4 } },
            { ipBlock: { cidr: "::/0", except: BLOCKED_IPV6 } },
          ],
        },
      ],
    },
  };
}

export function buildJobResourceQuota(o: JobNamespaceOptions): Record<string, unknown> {
  const hard: Record<string, string> = {
    pods: String(Math.max(0, o.quota.pods)),
    "requests.cpu": formatCpuMillis(o.quota.cpuMillis),
    "limits.cpu": formatCpuMillis(o.quota.cpuMillis),
    "requests.memory": formatBytes(o.quota.memoryBytes),
    "limits.memory": formatBytes(o.quota.memoryBytes),
    // Jobs get nothing but their Pod: no volumes claims, no Services that could expose them.
    persistentvolumeclaims: "0",
    services: "0",
    "services.loadbalancers": "0",
    "services.nodeports": "0",
  };
  for (const [resource, count] of Object.entries(o.quota.gpus)) hard[`requests.${resource}`] = String(count ?? 0);
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: RESOURCE_QUOTA_NAME, namespace: o.namespace, labels: managedLabels(o) },
    spec: { hard },
  };
}

export function buildJobLimitRange(o: JobNamespaceOptions): Record<string, unknown> {
  const max = { cpu: formatCpuMillis(Math.max(1000, o.maxPerContainer.cpuMillis)), memory: formatBytes(Math.max(2 ** 30, o.maxPerContainer.memoryBytes)) };
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: LIMIT_RANGE_NAME, namespace: o.namespace, labels: managedLabels(o) },
    spec: {
      limits: [
        {
          type: "Container",
          // Anything created here without limits (job Pods always set them) gets small ones.
          default: { cpu: "1", memory: "1Gi" },
          defaultRequest: { cpu: "1", memory: "1Gi" },
          max,
        },
      ],
    },
  };
}

/** Every object of the job namespace, namespace first (the others live in it). */
export function buildJobNamespaceObjects(o: JobNamespaceOptions): Record<string, unknown>[] {
  return [buildJobNamespace(o), buildJobServiceAccount(o), buildJobNetworkPolicy(o), buildJobResourceQuota(o), buildJobLimitRange(o)];
}
