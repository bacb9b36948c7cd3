// The Helm chart's values as a zod schema: the single source of values.schema.json (Helm
// validates every install and upgrade against it) and of the defaults test. values.yaml
// carries the same defaults with comments for people; test/unit/chart checks they agree.

import { z } from "zod";
import { neoProviderSpecSchema } from "../api/index.js";
import { DEFAULT_THRESHOLDS } from "../metrics/dashboard/alerts.js";

const quantity = z.union([z.string().regex(/^[0-9]+(\.[0-9]+)?([numkMGTPE]i?|[eE][0-9]+)?$/), z.number()]);
const resourceList = z.record(z.string(), quantity);
const resources = z
  .object({ requests: resourceList.optional(), limits: resourceList.optional() })
  .strict()
  .describe("Container resource requests and limits.");
const stringMap = z.record(z.string(), z.string());
const looseObject = z.record(z.string(), z.unknown());
const port = z.number().int().min(1).max(65535);
const duration = z.string().regex(/^([0-9]+(ms|s|m|h))+$/, { error: "must be a duration such as 30s or 1m" });
const dnsName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(63);

const image = z
  .object({
    repository: z.string().min(1).default("ghcr.io/neoengine/neoengine-operator").describe("Image repository."),
    tag: z.string().default("").describe("Image tag; the chart's appVersion when empty."),
    pullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).default("IfNotPresent").describe("Image pull policy."),
  })
  .strict();

export const chartValuesSchema = z
  .object({
    nameOverride: z.string().default("").describe("Overrides the chart name in object names."),
    fullnameOverride: z.string().default("").describe("Overrides the full name (release-chart) of every object."),
    image: image.prefault({}),
    imagePullSecrets: z.array(z.object({ name: z.string().min(1) }).strict()).default([]).describe("Secrets for pulling the image."),
    replicaCount: z.number().int().min(1).max(10).default(1).describe("Operator replicas; more than 1 requires leaderElection.enabled."),
    leaderElection: z
      .object({ enabled: z.boolean().default(true).describe("Lease-based leader election (--leader-elect); required for replicaCount > 1.") })
      .strict()
      .prefault({}),
    neoengine: z
      .object({
        url: z.string().default("").describe("NeoEngine API base URL including /v1; default: the embedded network server when network.enabled, else https://api.neoengine.dev/v1."),
        token: z.string().default("").describe("NeoEngine API token; the chart stores it in a Secret. Prefer existingSecret."),
        existingSecret: z.string().default("").describe("Name of an existing Secret (in the release namespace) holding the token."),
        secretKey: z.string().min(1).default("token").describe("Key of the token in the Secret."),
      })
      .strict()
      .prefault({}),
    operator: z
      .object({
        namespaces: z.array(dnsName).default([]).describe("Namespaces whose NeoJobs the operator watches; all when empty."),
        concurrency: z.number().int().min(1).max(256).default(4).describe("Parallel reconciles per controller (--concurrency)."),
        logLevel: z.enum(["trace", "debug", "info", "warn", "error"]).default("info").describe("Log level (NEO_LOG_LEVEL); logs are JSON on stderr."),
        extraArgs: z.array(z.string()).default([]).describe("Extra command-line flags for the operator."),
        extraEnv: z.array(looseObject).default([]).describe("Extra environment variables (Kubernetes EnvVar objects)."),
      })
      .strict()
      .prefault({}),
    serviceAccount: z
      .object({
        create: z.boolean().default(true).describe("Create the ServiceAccount."),
        name: z.string().default("").describe("ServiceAccount name; the release's full name when empty."),
        annotations: stringMap.default({}).describe("ServiceAccount annotations (e.g. for workload identity)."),
      })
      .strict()
      .prefault({}),
    rbac: z.object({ create: z.boolean().default(true).describe("Create the ClusterRole, Role and bindings.") }).strict().prefault({}),
    admissionPolicy: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe(
            "Install a MutatingAdmissionPolicy that adds the NeoJob finalizer at create time (saves the operator one write per NeoJob). Only installed where the cluster serves admissionregistration.k8s.io/v1 MutatingAdmissionPolicy (Kubernetes 1.36+); without it the operator adds the finalizer itself.",
          ),
      })
      .strict()
      .prefault({}),
    resources: resources.default({ requests: { cpu: "50m", memory: "96Mi" }, limits: { memory: "256Mi" } }),
    podAnnotations: stringMap.default({}).describe("Extra annotations of the operator Pods."),
    podLabels: stringMap.default({}).describe("Extra labels of the operator Pods."),
    nodeSelector: stringMap.default({}).describe("Node selector of the operator Pods."),
    tolerations: z.array(looseObject).default([]).describe("Tolerations of the operator Pods."),
    affinity: looseObject.default({}).describe("Affinity of the operator Pods; with replicaCount > 1 and none given, replicas prefer different nodes."),
    priorityClassName: z.string().default("").describe("PriorityClass of the operator Pods."),
    podDisruptionBudget: z
      .object({ enabled: z.boolean().default(false).describe("A PodDisruptionBudget (minAvailable 1); useful with replicaCount ≥ 2.") })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        port: port.default(8080).describe("Metrics port (--metrics-addr), path /metrics."),
        service: z
          .object({
            type: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).default("ClusterIP").describe("Type of the metrics Service."),
            annotations: stringMap.default({}).describe("Annotations of the metrics Service."),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    health: z.object({ port: port.default(8081).describe("Health port (--health-addr): /healthz, /readyz.") }).strict().prefault({}),
    serviceMonitor: z
      .object({
        enabled: z.boolean().default(false).describe("Create a ServiceMonitor (only when the monitoring.coreos.com/v1 API exists)."),
        interval: duration.default("30s").describe("Scrape interval."),
        scrapeTimeout: duration.default("10s").describe("Scrape timeout."),
        labels: stringMap.default({}).describe("Extra labels, e.g. release: kube-prometheus-stack."),
      })
      .strict()
      .prefault({}),
    prometheusRule: z
      .object({
        enabled: z.boolean().default(false).describe("Create the PrometheusRule with the alerts (only when the monitoring.coreos.com/v1 API exists)."),
        labels: stringMap.default({}).describe("Extra labels, e.g. release: kube-prometheus-stack."),
        thresholds: z
          .object({
            walletBalanceLowCredits: z.number().min(0).default(DEFAULT_THRESHOLDS.walletBalanceLowCredits).describe("NeoEngineWalletBalanceLow: available credits below this."),
            neojobPendingSeconds: z.number().int().min(60).default(DEFAULT_THRESHOLDS.neojobPendingSeconds).describe("NeoEngineNeoJobsStuckPending: oldest waiting NeoJob older than this (seconds)."),
            rateBudgetRemainingRatio: z.number().min(0).max(1).default(DEFAULT_THRESHOLDS.rateBudgetRemainingRatio).describe("NeoEngineRateBudgetNearlyExhausted: share of a rate window left below this."),
            apiErrorRatio: z.number().min(0).max(1).default(DEFAULT_THRESHOLDS.apiErrorRatio).describe("NeoEngineApiErrors: share of 5xx/no-response attempts above this."),
            api429Ratio: z.number().min(0).max(1).default(DEFAULT_THRESHOLDS.api429Ratio).describe("NeoEngineApiRateLimited: share of 429 answers above this."),
            reconcileErrorRatio: z.number().min(0).max(1).default(DEFAULT_THRESHOLDS.reconcileErrorRatio).describe("NeoEngineReconcileErrors: share of failed reconciliations above this."),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    dashboard: z
      .object({
        enabled: z.boolean().default(true).describe("A ConfigMap with the Grafana dashboard, labelled grafana_dashboard: \"1\" for the Grafana sidecar."),
        namespace: z.string().default("").describe("Namespace of the dashboard ConfigMap; the release namespace when empty."),
        labels: stringMap.default({}).describe("Extra labels of the dashboard ConfigMap."),
        annotations: stringMap.default({}).describe("Annotations, e.g. grafana_folder: NeoEngine."),
      })
      .strict()
      .prefault({}),
    provider: z
      .object({
        enabled: z.boolean().default(false).describe("Create a NeoProvider that sells this cluster's GPU nodes."),
        name: dnsName.default("gpu-provider").describe("Name of the NeoProvider (cluster-scoped)."),
        spec: neoProviderSpecSchema.prefault({ prices: {} }).describe("The NeoProvider spec (see docs/provider.md)."),
      })
      .strict()
      .prefault({}),
    network: z
      .object({
        enabled: z.boolean().default(false).describe("Run the reference NeoEngine network server in the cluster (a self-hosted market)."),
        port: port.default(8787).describe("Port of the network server and its Service."),
        resources: resources.default({ requests: { cpu: "50m", memory: "96Mi" }, limits: { memory: "512Mi" } }),
        service: z.object({ type: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).default("ClusterIP").describe("Type of the network Service.") }).strict().prefault({}),
        persistence: z
          .object({
            enabled: z.boolean().default(true).describe("Keep the SQLite database on a PersistentVolumeClaim (else an emptyDir)."),
            size: z.string().default("1Gi").describe("Size of the PersistentVolumeClaim."),
            storageClassName: z.string().default("").describe("StorageClass; the cluster default when empty."),
            accessMode: z.enum(["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany"]).default("ReadWriteOnce").describe("Access mode of the PersistentVolumeClaim."),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.replicaCount > 1 && !v.leaderElection.enabled) {
      ctx.addIssue({ code: "custom", path: ["replicaCount"], message: "replicaCount > 1 requires leaderElection.enabled" });
    }
    if (v.neoengine.token !== "" && v.neoengine.existingSecret !== "") {
      ctx.addIssue({ code: "custom", path: ["neoengine", "existingSecret"], message: "set either neoengine.token or neoengine.existingSecret, not both" });
    }
  });

export type ChartValues = z.output<typeof chartValuesSchema>;
