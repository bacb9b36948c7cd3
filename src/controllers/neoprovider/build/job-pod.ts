import { createHash } from "node:crypto";
import type { Assignment } from "../../../neoengine/wire.js";
import {
  COMPONENT_LABEL,
  JOB_COMPONENT,
  JOB_CONTAINER,
  JOB_ID_ANNOTATION,
  JOB_ID_LABEL,
  JOB_SERVICE_ACCOUNT,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  NEOPROVIDER_LABEL,
  NODE_LABEL,
  PRICE_ANNOTATION,
  PROVIDER_ID_LABEL,
} from "../labels.js";
import type { Toleration } from "../model/kube-types.js";
import { formatCpuMillis } from "../model/quantity.js";

// The Pod a network job runs in. Isolation by default — strangers' code on our GPUs: restricted
// Pod Security settings, no service-account token, no host namespaces, no cluster Secrets or
// ConfigMaps, only the job's own plain env values, pinned to the node the network assigned.

/** UID/GID job containers run as unless the NeoProvider allows root (65532 = distroless "nonroot"). */
export const DEFAULT_JOB_UID = 65532;

export interface JobPodContext {
  namespace: string;
  neoProviderName: string;
  providerId: string;
  nodeName: string;
  /** nvidia.com/gpu or amd.com/gpu; undefined for a node without GPUs. */
  gpuResource?: string;
  runtimeClassName?: string;
  allowRootContainers: boolean;
  /** Tolerations job Pods carry (the dedicated-node taint, plus what the cluster owner configured). */
  tolerations: Toleration[];
  /** UID and GID of the job's process when root is not allowed. */
  runAsUser?: number;
  /** Size limit of the writable /tmp emptyDir. */
  tmpSizeLimit?: string;
}

/** Deterministic, DNS-1123 Pod name for a job id (ids are base62, so a hash keeps case apart). */
export function podNameFor(jobId: string): string {
  const readable = jobId.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
  const hash = createHash("sha256").update(jobId).digest("hex").slice(0, 10);
  return `neo-${readable}-${hash}`.replace(/--+/g, "-");
}

/** Label values: at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends. */
export function labelValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 63);
  return cleaned.replace(/^[^A-Za-z0-9]+/, "").replace(/[^A-Za-z0-9]+$/, "");
}

/** Whole seconds the job may run (the Pod's activeDeadlineSeconds), at least 1. */
export function deadlineSeconds(assignment: Pick<Assignment, "timeoutSeconds">): number {
  return Math.max(1, Math.ceil(assignment.timeoutSeconds));
}

export function buildJobPod(assignment: Assignment, ctx: JobPodContext): Record<string, unknown> {
  const uid = ctx.runAsUser ?? DEFAULT_JOB_UID;
  const requests: Record<string, string> = {
    cpu: formatCpuMillis(Math.ceil(assignment.resources.cpu * 1000)),
    memory: assignment.resources.memory,
  };
  if (assignment.resources.gpu > 0) {
    if (!ctx.gpuResource) throw new Error(`job ${assignment.jobId} needs ${assignment.resources.gpu} GPU(s) but node ${ctx.nodeName} has none`);
    requests[ctx.gpuResource] = String(assignment.resources.gpu);
  }
  // Sorted so the Pod is byte-identical for the same assignment; plain values only.
  const env = Object.entries(assignment.env)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value: String(value) }));
  // A read-only root filesystem breaks programs that write to $HOME; point it at /tmp.
  if (!("HOME" in assignment.env)) env.push({ name: "HOME", value: "/tmp" });

  const podSecurity: Record<string, unknown> = { seccompProfile: { type: "RuntimeDefault" } };
  const containerSecurity: Record<string, unknown> = {
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    readOnlyRootFilesystem: true,
    seccompProfile: { type: "RuntimeDefault" },
  };
  if (ctx.allowRootContainers) {
    // The image's own user (possibly root); still no capabilities and no escalation.
    podSecurity.runAsNonRoot = false;
  } else {
    Object.assign(podSecurity, { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, supplementalGroups: [] });
    Object.assign(containerSecurity, { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid });
  }

  const container: Record<string, unknown> = {
    name: JOB_CONTAINER,
    image: assignment.image,
    imagePullPolicy: "IfNotPresent",
    env,
    resources: { requests, limits: { ...requests } },
    securityContext: containerSecurity,
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    // The termination message becomes the job's result message; fall back to the log tail.
    terminationMessagePolicy: "FallbackToLogsOnError",
  };
  if (assignment.command.length > 0) container.command = assignment.command;
  if (assignment.args.length > 0) container.args = assignment.args;

  const spec: Record<string, unknown> = {
    restartPolicy: "Never",
    activeDeadlineSeconds: deadlineSeconds(assignment),
    terminationGracePeriodSeconds: 30,
    serviceAccountName: JOB_SERVICE_ACCOUNT,
    automountServiceAccountToken: false,
    // Service env vars would tell the job where the cluster's services live.
    enableServiceLinks: false,
    hostNetwork: false,
    hostPID: false,
    hostIPC: false,
    securityContext: podSecurity,
    // Pinned to the node the network assigned the job to; the scheduler still checks capacity.
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [ctx.nodeName] }] }],
        },
      },
    },
    tolerations: ctx.tolerations,
    containers: [container],
    volumes: [{ name: "tmp", emptyDir: ctx.tmpSizeLimit ? { sizeLimit: ctx.tmpSizeLimit } : {} }],
  };
  if (ctx.runtimeClassName) spec.runtimeClassName = ctx.runtimeClassName;

  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: podNameFor(assignment.jobId),
      namespace: ctx.namespace,
      labels: {
        [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
        [COMPONENT_LABEL]: JOB_COMPONENT,
        [JOB_ID_LABEL]: labelValue(assignment.jobId),
        [PROVIDER_ID_LABEL]: labelValue(ctx.providerId),
        [NEOPROVIDER_LABEL]: labelValue(ctx.neoProviderName),
        [NODE_LABEL]: labelValue(ctx.nodeName),
      },
      annotations: { [JOB_ID_ANNOTATION]: assignment.jobId, [PRICE_ANNOTATION]: assignment.price },
    },
    spec,
  };
}
