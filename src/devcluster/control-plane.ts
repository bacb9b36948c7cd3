import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, request } from "undici";
import { ensureBinaries } from "./build.js";
import { ensurePki, type Pki } from "./pki.js";
import { kwokStagesYaml } from "./kwok-stages.js";
import { runningComponents, startProcess, stopProcesses, writeOwner } from "./processes.js";
import type { BinaryPaths } from "./versions.js";

/** Components in start order; they stop in the reverse order. */
export const COMPONENTS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"] as const;
const STOP_ORDER = [...COMPONENTS].reverse();

export interface ControlPlaneOptions {
  /** State directory: PKI, etcd data, logs, pid files and the kubeconfig. */
  dir: string;
  /** Pid of the process that owns it (reaped when that dies); null for a detached cluster. */
  ownerPid: number | null;
  /** How long to wait for every component to become ready. Default 120 s. */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ControlPlane {
  dir: string;
  kubeconfigPath: string;
  server: string;
  binaries: BinaryPaths;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

function kubeconfig(server: string, pki: Pki): string {
  const b64 = (f: string) => readFileSync(f).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: neoengine-dev",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.caCert)}`,
    "users:",
    "- name: neoengine-admin",
    "  user:",
    `    client-certificate-data: ${b64(pki.adminCert)}`,
    `    client-key-data: ${b64(pki.adminKey)}`,
    "contexts:",
    "- name: neoengine-dev",
    "  context:",
    "    cluster: neoengine-dev",
    "    user: neoengine-admin",
    "current-context: neoengine-dev",
    "",
  ].join("\n");
}

/**
 * Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok bound to
 * 127.0.0.1, writes an admin kubeconfig to <dir>/kubeconfig and waits until the cluster
 * serves requests, runs controllers (the default ServiceAccount exists) and kwok is healthy.
 */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`[devcluster] ${l}\n`));
  const bins = await ensureBinaries();
  const dir = opts.dir;
  mkdirSync(dir, { recursive: true });
  writeOwner(dir, opts.ownerPid);
  const pki = ensurePki(dir);
  const [etcdClient, etcdPeer, apiPort, kcmPort, schedPort, kwokPort] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfigPath = join(dir, "kubeconfig");
  writeFileSync(kubeconfigPath, kubeconfig(server, pki), { mode: 0o600 });
  const stagesPath = join(dir, "kwok-stages.yaml");
  writeFileSync(stagesPath, kwokStagesYaml());

  const stop = async () => stopProcesses(dir, STOP_ORDER);
  const started = Date.now();
  const timeoutMs = opts.readyTimeoutMs ?? 120_000;
  try {
    startProcess(dir, "etcd", bins.etcd, [
      "--name=default",
      `--data-dir=${join(dir, "etcd-data")}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      // Test data is disposable; fsync would dominate the run time on a shared disk.
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);
    await waitHttp(`http://127.0.0.1:${etcdClient}/health`, undefined, timeoutMs, started, "etcd");

    startProcess(dir, "kube-apiserver", bins.kubeApiserver, [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki.apiserverCert}`,
      `--tls-private-key-file=${pki.apiserverKey}`,
      `--client-ca-file=${pki.caCert}`,
      "--authorization-mode=RBAC",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--allow-privileged=true",
      // NEO_APISERVER_PROFILING=1 serves /debug/pprof (the operator benchmark can profile a burst).
      `--profiling=${process.env.NEO_APISERVER_PROFILING === "1"}`,
      `--cert-dir=${join(dir, "apiserver-certs")}`,
    ]);
    const tls = new Agent({
      connect: { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) },
    });
    try {
      await waitHttp(`${server}/readyz`, tls, timeoutMs, started, "kube-apiserver");
      log(`kube-apiserver ready at ${server} after ${Date.now() - started} ms`);

      const common = [`--kubeconfig=${kubeconfigPath}`, "--bind-address=127.0.0.1", "--leader-elect=false"];
      startProcess(dir, "kube-controller-manager", bins.kubeControllerManager, [
        ...common,
        `--secure-port=${kcmPort}`,
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        `--cluster-signing-cert-file=${pki.caCert}`,
        `--cluster-signing-key-file=${pki.caKey}`,
        "--use-service-account-credentials=true",
        "--service-cluster-ip-range=10.96.0.0/16",
        // Fast garbage collection and namespace deletion keep e2e tests quick.
        "--concurrent-gc-syncs=10",
        "--concurrent-namespace-syncs=5",
      ]);
      startProcess(dir, "kube-scheduler", bins.kubeScheduler, [...common, `--secure-port=${schedPort}`]);
      startProcess(dir, "kwok", bins.kwok, [
        `--kubeconfig=${kubeconfigPath}`,
        `--config=${stagesPath}`,
        "--manage-all-nodes=false",
        "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
        `--server-address=127.0.0.1:${kwokPort}`,
        "--node-ip=127.0.0.1",
        "--cidr=10.244.0.0/16",
        // kwok renews node leases so the node lifecycle controller keeps fake nodes Ready.
        "--node-lease-duration-seconds=40",
        // Tests that need a NotReady node take over its status with this annotation.
        "--disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom",
      ]);
      await waitHttp(`http://127.0.0.1:${kwokPort}/healthz`, undefined, timeoutMs, started, "kwok");
      // The service-account controller creating "default" proves kube-controller-manager runs.
      await waitHttp(`${server}/api/v1/namespaces/default/serviceaccounts/default`, tls, timeoutMs, started, "kube-controller-manager");
      await waitHttp(`${server}/readyz`, tls, timeoutMs, started, "kube-apiserver");
    } finally {
      await tls.close();
    }
    const down = COMPONENTS.filter((c) => !runningComponents(dir).includes(c));
    if (down.length > 0) throw new Error(`control-plane components exited: ${down.join(", ")} (logs in ${join(dir, "logs")})`);
    log(`control plane ready in ${Date.now() - started} ms (state in ${dir})`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, kubeconfigPath, server, binaries: bins, stop };
}

async function waitHttp(url: string, dispatcher: Agent | undefined, timeoutMs: number, since: number, what: string): Promise<void> {
  let last = "";
  while (Date.now() - since < timeoutMs) {
    try {
      const res = await request(url, { dispatcher, headersTimeout: 2_000, bodyTimeout: 2_000 });
      const body = await res.body.text();
      if (res.statusCode === 200) return;
      last = `HTTP ${res.statusCode} ${body.slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms: ${last}`);
}
