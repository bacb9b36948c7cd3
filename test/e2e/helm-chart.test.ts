// The Helm chart against the real control plane: lint, render with defaults and with every
// option, and have the apiserver validate every object (kubectl apply --dry-run=server) — our
// CRDs applied for real first so NeoProvider objects are validated by their schema and CEL rules,
// and the Prometheus Operator's real CRDs for the ServiceMonitor and PrometheusRule.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { CHART_DIR, REPO_ROOT } from "../../src/chart/paths.js";
import { freshNamespace, helm, kubectl, waitFor } from "../helpers/cluster.js";

// Loosely typed views into rendered Deployments, enough for these assertions.
interface ContainerView {
  args: string[];
  command?: string[];
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: Record<string, unknown> };
  readinessProbe: { httpGet: Record<string, unknown> };
  resources: { requests: Record<string, unknown> };
}
interface PodSpecView {
  securityContext: Record<string, unknown>;
  containers: ContainerView[];
}
function podSpec(deploy: Obj): PodSpecView {
  return (deploy.spec as { template: { spec: PodSpecView } }).template.spec;
}

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: Record<string, unknown>; data?: Record<string, string> } & Record<string, unknown>;

const tmp = mkdtempSync(join(tmpdir(), "helm-chart-e2e-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every option of values.yaml switched on (or set), at once. */
const ALL_OPTIONS = {
  fullnameOverride: "neo-all",
  image: { repository: "registry.example/neoengine-operator", tag: "1.2.3", pullPolicy: "Always" },
  imagePullSecrets: [{ name: "regcred" }],
  replicaCount: 2,
  leaderElection: { enabled: true },
  neoengine: { url: "https://neo.example/v1", token: "neo_test_token_value", secretKey: "apiToken" },
  operator: { namespaces: ["team-a", "team-b"], concurrency: 8, logLevel: "debug", extraArgs: ["--log-format=json"], extraEnv: [{ name: "EXTRA", value: "1" }] },
  serviceAccount: { create: true, name: "neo-sa", annotations: { "example.com/role": "x" } },
  rbac: { create: true },
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
  podAnnotations: { "example.com/a": "b" },
  podLabels: { team: "platform" },
  nodeSelector: { "kubernetes.io/os": "linux" },
  tolerations: [{ key: "dedicated", operator: "Equal", value: "ops", effect: "NoSchedule" }],
  priorityClassName: "system-cluster-critical",
  podDisruptionBudget: { enabled: true },
  metrics: { port: 9090, service: { type: "ClusterIP", annotations: { "prometheus.io/scrape": "true" } } },
  health: { port: 9091 },
  serviceMonitor: { enabled: true, interval: "15s", scrapeTimeout: "5s", labels: { release: "kube-prometheus-stack" } },
  prometheusRule: { enabled: true, labels: { release: "kube-prometheus-stack" }, thresholds: { walletBalanceLowCredits: 25 } },
  dashboard: { enabled: true, labels: { extra: "label" }, annotations: { grafana_folder: "NeoEngine" } },
  provider: {
    enabled: true,
    name: "cluster-gpus",
    spec: { prices: { cpu: "0.02", memory: "0.005", gpu: { "nvidia-a100": "1.80" } }, jobNamespace: "neo-jobs", maxJobsPerNode: 4, runtimeClassName: "gvisor" },
  },
  network: { enabled: true, port: 8787, service: { type: "NodePort" }, persistence: { enabled: true, size: "2Gi", accessMode: "ReadWriteOnce" } },
};

function valuesFile(name: string, values: unknown): string {
  const path = join(tmp, `${name}.yaml`);
  writeFileSync(path, stringify(values));
  return path;
}

function objects(manifest: string): Obj[] {
  return parseAllDocuments(manifest)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

function kinds(objs: Obj[]): string[] {
  return objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
}

async function ok(p: Promise<{ code: number; stdout: string; stderr: string }>, what: string): Promise<string> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

async function dryRunApply(manifest: string, namespace: string): Promise<string> {
  return ok(kubectl(["apply", "--dry-run=server", "-n", namespace, "-f", "-"], manifest), "kubectl apply --dry-run=server");
}

// The Prometheus Operator's own CRDs (ServiceMonitor, PrometheusRule), from its Go module
// (the Go module proxy, like the control-plane build), so the dry-run validates our objects
// against the real schemas.
const PROMETHEUS_OPERATOR_MODULE = "github.com/prometheus-operator/prometheus-operator@v0.80.1";
function prometheusOperatorCrds(): string[] {
  const out = execFileSync("go", ["mod", "download", "-json", PROMETHEUS_OPERATOR_MODULE], { encoding: "utf8", cwd: tmp, env: { ...process.env, GOFLAGS: "-mod=mod" } });
  const dir = (JSON.parse(out) as { Dir: string }).Dir;
  return ["servicemonitors", "prometheusrules"].map((plural) => join(dir, "example/prometheus-operator-crd", `monitoring.coreos.com_${plural}.yaml`));
}

beforeAll(async () => {
  // Our CRDs for real, so dry-run knows NeoProvider (and validates it with the CRD's schema).
  await ok(kubectl(["apply", "--server-side", "--force-conflicts", "-f", join(CHART_DIR, "crds")]), "apply CRDs");
  await ok(kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/neojobs.neoengine.dev", "crd/neoproviders.neoengine.dev"]), "wait CRDs");
});

describe("helm chart", () => {
  it("passes helm lint --strict with defaults and with every option", async () => {
    const lintDefault = await ok(helm(["lint", "--strict", CHART_DIR]), "helm lint");
    expect(lintDefault).toContain("1 chart(s) linted, 0 chart(s) failed");
    const lintAll = await ok(helm(["lint", "--strict", CHART_DIR, "-f", valuesFile("all", ALL_OPTIONS)]), "helm lint (all options)");
    expect(lintAll).toContain("0 chart(s) failed");
  });

  it("refuses invalid values through values.schema.json and the template guards", async () => {
    const typo = await helm(["template", "x", CHART_DIR, "--set", "replicaCont=2"]);
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toMatch(/replicaCont/);
    const badPolicy = await helm(["template", "x", CHART_DIR, "--set", "image.pullPolicy=Sometimes"]);
    expect(badPolicy.code).not.toBe(0);
    expect(badPolicy.stderr).toMatch(/pullPolicy/);
    const noLeader = await helm(["template", "x", CHART_DIR, "--set", "replicaCount=2", "--set", "leaderElection.enabled=false"]);
    expect(noLeader.code).not.toBe(0);
    expect(noLeader.stderr).toContain("replicaCount > 1 requires leaderElection.enabled=true");
  });

  it("defaults: every object is accepted by the apiserver", async () => {
    const ns = await freshNamespace("helm-defaults");
    const manifest = await ok(helm(["template", "neoengine-operator", CHART_DIR, "--namespace", ns]), "helm template");
    const objs = objects(manifest);
    expect(kinds(objs)).toEqual(
      [
        "ClusterRole/neoengine-operator",
        "ClusterRoleBinding/neoengine-operator",
        "ConfigMap/neoengine-operator-dashboard",
        "Deployment/neoengine-operator",
        "Role/neoengine-operator-leader-election",
        "RoleBinding/neoengine-operator-leader-election",
        "Service/neoengine-operator-metrics",
        "ServiceAccount/neoengine-operator",
      ].sort(),
    );
    const out = await dryRunApply(manifest, ns);
    expect(out.match(/\(server dry run\)/g)?.length).toBe(objs.length);

    const deploy = objs.find((o) => o.kind === "Deployment")!;
    const pod = podSpec(deploy);
    const container = pod.containers[0]!;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
    expect(container.livenessProbe.httpGet).toMatchObject({ path: "/healthz", port: "health" });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: "/readyz", port: "health" });
    expect(container.resources.requests).toMatchObject({ cpu: "50m", memory: "96Mi" });
    expect(container.args).toEqual(expect.arrayContaining(["--leader-elect", "--metrics-addr=:8080", "--health-addr=:8081"]));
    const dashboard = objs.find((o) => o.kind === "ConfigMap")!;
    expect(dashboard.metadata.labels?.grafana_dashboard).toBe("1");
    const json = JSON.parse(dashboard.data!["neoengine-operator.json"]!) as { uid: string };
    expect(json.uid).toBe("neoengine-operator");
  });

  it("every option, without the monitoring API: valid, and no ServiceMonitor/PrometheusRule", async () => {
    const ns = await freshNamespace("helm-all");
    const manifest = await ok(helm(["template", "neo", CHART_DIR, "--namespace", ns, "-f", valuesFile("all", ALL_OPTIONS)]), "helm template");
    const objs = objects(manifest);
    expect(objs.map((o) => o.kind)).not.toContain("ServiceMonitor");
    expect(objs.map((o) => o.kind)).not.toContain("PrometheusRule");
    expect(kinds(objs)).toEqual(
      expect.arrayContaining([
        "Secret/neo-all-token",
        "NeoProvider/cluster-gpus",
        "Deployment/neo-all-network",
        "PersistentVolumeClaim/neo-all-network-data",
        "Service/neo-all-network",
        "PodDisruptionBudget/neo-all",
        "ServiceAccount/neo-sa",
      ]),
    );
    const out = await dryRunApply(manifest, ns);
    expect(out.match(/\(server dry run\)/g)?.length).toBe(objs.length);
    const deploy = objs.find((o) => o.kind === "Deployment" && o.metadata.name === "neo-all")!;
    const args = podSpec(deploy).containers[0]!.args;
    expect(args).toEqual(expect.arrayContaining([`--token-secret=${ns}/neo-all-token#apiToken`, "--namespace=team-a", "--namespace=team-b", "--concurrency=8", "--neoengine-url=https://neo.example/v1"]));
    expect(deploy.spec?.replicas).toBe(2);
    const network = objs.find((o) => o.kind === "Deployment" && o.metadata.name === "neo-all-network")!;
    const nc = podSpec(network).containers[0]!;
    expect([...(nc.command ?? []), ...nc.args]).toEqual(["neoengine-network", "serve", "--host", "0.0.0.0", "--port", "8787", "--db", "/data/neoengine.db"]);
    // The token is in the Secret only (base64), never in the Deployment.
    expect(JSON.stringify(deploy)).not.toContain("neo_test_token_value");
  });

  it("the embedded network becomes the default NeoEngine URL", async () => {
    const manifest = await ok(helm(["template", "neoengine-operator", CHART_DIR, "--namespace", "neo", "--set", "network.enabled=true"]), "helm template");
    const deploy = objects(manifest).find((o) => o.kind === "Deployment" && o.metadata.name === "neoengine-operator")!;
    expect(podSpec(deploy).containers[0]!.args).toContain("--neoengine-url=http://neoengine-operator-network.neo.svc:8787/v1");
  });

  it("installs, upgrades and uninstalls for real; CRDs survive the uninstall", async () => {
    const ns = await freshNamespace("helm-life");
    const release = `life-${ns.slice(-5)}`;
    const install = await ok(helm(["install", release, CHART_DIR, "--namespace", ns, "--set", "neoengine.token=neo_life_token", "--wait=false"]), "helm install");
    expect(install).toContain("STATUS: deployed");
    expect(install).toContain("kubectl get neojobs -w");
    const deployment = async () =>
      JSON.parse(await ok(kubectl(["get", "deployment", `${release}-neoengine-operator`, "-n", ns, "-o", "json"]), "get deployment")) as { spec: { replicas: number } };
    expect((await deployment()).spec.replicas).toBe(1);

    const upgrade = await ok(helm(["upgrade", release, CHART_DIR, "--namespace", ns, "--reuse-values", "--set", "replicaCount=2", "--set", "podDisruptionBudget.enabled=true"]), "helm upgrade");
    expect(upgrade).toContain("REVISION: 2");
    expect((await deployment()).spec.replicas).toBe(2);
    await ok(kubectl(["get", "poddisruptionbudget", `${release}-neoengine-operator`, "-n", ns]), "get pdb");

    await ok(helm(["uninstall", release, "--namespace", ns]), "helm uninstall");
    const gone = await kubectl(["get", "deployment", `${release}-neoengine-operator`, "-n", ns]);
    expect(gone.code).not.toBe(0);
    const clusterRole = await kubectl(["get", "clusterrole", `${release}-neoengine-operator`]);
    expect(clusterRole.code).not.toBe(0);
    // Helm never deletes CRDs (NeoJobs would go with them).
    await ok(kubectl(["get", "crd", "neojobs.neoengine.dev", "neoproviders.neoengine.dev"]), "CRDs still there");
  });

  describe("with the monitoring.coreos.com API served", () => {
    beforeAll(async () => {
      const files = prometheusOperatorCrds();
      // A previous run may still be deleting them; applying to a terminating CRD would not stick.
      await kubectl(["wait", "--for=delete", "--timeout=120s", "crd/servicemonitors.monitoring.coreos.com", "crd/prometheusrules.monitoring.coreos.com"]);
      await ok(kubectl(["apply", "--server-side", "--force-conflicts", ...files.flatMap((f) => ["-f", f])]), "apply monitoring CRDs");
      await ok(kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/servicemonitors.monitoring.coreos.com", "crd/prometheusrules.monitoring.coreos.com"]), "wait monitoring CRDs");
      // Discovery must list the new group before helm reads the capabilities.
      await waitFor(async () => (await kubectl(["api-resources", "--api-group=monitoring.coreos.com"])).stdout.includes("PrometheusRule"), {
        description: "monitoring.coreos.com in discovery",
      });
    });
    afterAll(async () => {
      await kubectl(["delete", "--ignore-not-found", "crd/servicemonitors.monitoring.coreos.com", "crd/prometheusrules.monitoring.coreos.com"]);
    });

    it("renders ServiceMonitor and PrometheusRule from the live cluster's capabilities, valid for the apiserver", async () => {
      const ns = await freshNamespace("helm-mon");
      // --dry-run=server makes helm read .Capabilities.APIVersions from the cluster.
      const out = await ok(
        helm(["install", "neo", CHART_DIR, "--namespace", ns, "--dry-run=server", "-f", valuesFile("all", ALL_OPTIONS)]),
        "helm install --dry-run=server",
      );
      const manifest = out.slice(out.indexOf("---"), out.indexOf("NOTES:") > 0 ? out.indexOf("NOTES:") : undefined);
      const objs = objects(manifest);
      const sm = objs.find((o) => o.kind === "ServiceMonitor");
      const pr = objs.find((o) => o.kind === "PrometheusRule");
      expect(sm?.spec).toMatchObject({ jobLabel: "app.kubernetes.io/name", endpoints: [{ port: "metrics", path: "/metrics", interval: "15s" }] });
      expect(sm?.metadata.labels?.release).toBe("kube-prometheus-stack");
      // The PrometheusRule equals the plain rule file except the threshold changed in values.
      const plain = parse(readFileSync(join(REPO_ROOT, "deploy/prometheus/neoengine-operator.rules.yaml"), "utf8")) as { groups: { rules: { alert: string; expr: string }[] }[] };
      const expected = structuredClone(plain);
      for (const rule of expected.groups[0]!.rules) {
        if (rule.alert === "NeoEngineWalletBalanceLow") rule.expr = rule.expr.replace(/< 10$/, "< 25");
      }
      expect(pr?.spec).toEqual(expected);
      // The real schema is in force: a misspelt field is refused (strict field validation).
      const typo = structuredClone(sm!) as Obj & { spec: { endpoints: Record<string, unknown>[] } };
      typo.spec.endpoints[0]!.intervall = "15s";
      const refused = await kubectl(["apply", "--dry-run=server", "-n", ns, "-f", "-"], stringify(typo));
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("intervall");
      const applied = await dryRunApply(manifest, ns);
      expect(applied.match(/\(server dry run\)/g)?.length).toBe(objs.length);
      expect(out).toContain("NOTES:");
      expect(out).toContain("kubectl get neojobs -w");
    });

    it("defaults render the same PrometheusRule as the plain rule file", async () => {
      const ns = await freshNamespace("helm-rule");
      const out = await ok(
        helm(["template", "neoengine-operator", CHART_DIR, "--namespace", ns, "--set", "prometheusRule.enabled=true", "--api-versions", "monitoring.coreos.com/v1/ServiceMonitor", "--api-versions", "monitoring.coreos.com/v1/PrometheusRule"]),
        "helm template",
      );
      const pr = objects(out).find((o) => o.kind === "PrometheusRule");
      const plain = parse(readFileSync(join(REPO_ROOT, "deploy/prometheus/neoengine-operator.rules.yaml"), "utf8"));
      expect(pr?.spec).toEqual(plain);
    });
  });
});
