// Shared setup of the provider-side e2e tests: the reference network, a provider and a consumer
// account, GPU nodes labelled for this test only, a NeoProvider selecting them, and the
// provider controller running in this process against the real apiserver.
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { onTestFinished } from "vitest";
import { installCrds, KubeClient, Resources } from "../../src/kube/index.js";
import { startNetworkServer, type NetworkServer, type NetworkServerOptions } from "../../src/network/index.js";
import { NeoEngineClient } from "../../src/neoengine/index.js";
import { startNeoProviderController, type NeoProviderController } from "../../src/controllers/neoprovider/index.js";
import type { NeoProviderOptions } from "../../src/controllers/neoprovider/options.js";
import { KWOK_TOLERATION, coreApi, createGpuNodes, kubeConfig, waitFor } from "../helpers/cluster.js";

export const suffix = () => randomBytes(3).toString("hex");

export interface ProviderWorld {
  kube: KubeClient;
  network: NetworkServer;
  providerToken: string;
  consumerToken: string;
  /** Provider-token client (earnings, providers). */
  providerClient: NeoEngineClient;
  consumerClient: NeoEngineClient;
  pool: string;
}

export async function providerWorld(networkOptions: NetworkServerOptions = {}): Promise<ProviderWorld> {
  const kube = new KubeClient(kubeConfig());
  await installCrds(kube);
  const network = await startNetworkServer({ schedulerIntervalMs: 200, ...networkOptions });
  onTestFinished(() => network.close());
  await network.admin.createAccount("gpu-farm", "pro");
  await network.admin.createAccount("alice", "pro", "1000");
  const providerToken = await network.admin.createToken("gpu-farm", { provider: true });
  const consumerToken = await network.admin.createToken("alice");
  const providerClient = new NeoEngineClient({ baseUrl: `${network.url}/v1`, token: providerToken, rateLimiter: false });
  const consumerClient = new NeoEngineClient({ baseUrl: `${network.url}/v1`, token: consumerToken, rateLimiter: false });
  onTestFinished(async () => {
    await providerClient.close();
    await consumerClient.close();
  });
  return { kube, network, providerToken, consumerToken, providerClient, consumerClient, pool: `pool-${suffix()}` };
}

/** GPU nodes carrying this world's pool label (so only this test's NeoProvider selects them). */
export function gpuNodes(world: ProviderWorld, count: number, gpusPerNode: number, product: string, extra: Record<string, string> = {}) {
  return createGpuNodes({ count, gpusPerNode, product, labels: { "neoengine.dev/test-pool": world.pool, ...extra }, namePrefix: `${world.pool}-${product.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 20)}` });
}

export async function providerSecret(world: ProviderWorld, namespace: string): Promise<{ namespace: string; name: string; key: string }> {
  const name = `provider-token-${suffix()}`;
  await coreApi().createNamespacedSecret({ namespace, body: { metadata: { name }, stringData: { token: world.providerToken } } });
  return { namespace, name, key: "token" };
}

export async function createNeoProvider(world: ProviderWorld, name: string, spec: Record<string, unknown>): Promise<void> {
  await world.kube.create(Resources.neoProvider, { metadata: { name }, spec: { nodeSelector: { "neoengine.dev/test-pool": world.pool }, ...spec } });
  onTestFinished(async () => {
    // Remove the finalizer first when the controller is already gone.
    await world.kube.mergePatch(Resources.neoProvider, { name }, { metadata: { finalizers: null } }).catch(() => undefined);
    await world.kube.delete(Resources.neoProvider, { name }).catch(() => undefined);
  });
}

export async function startProviderController(world: ProviderWorld, options: Partial<NeoProviderOptions> = {}): Promise<NeoProviderController> {
  const controller = await startNeoProviderController({
    kube: world.kube,
    neoengineUrl: world.network.url,
    logger: pino({ level: process.env.NEO_LOG_LEVEL ?? "silent" }),
    options: { extraTolerations: [{ ...KWOK_TOLERATION }], resyncIntervalMs: 2_000, earningsIntervalMs: 1_000, assignmentWaitSeconds: 10, ...options },
  });
  let stopped = false;
  onTestFinished(async () => {
    if (!stopped) await controller.stop();
  });
  return {
    ...controller,
    stop: async () => {
      stopped = true;
      await controller.stop();
    },
  };
}

export interface NodeRow {
  name: string;
  providerId?: string;
  gpuModel?: string;
  gpus: number;
  freeGpus: number;
  state: string;
  runningJobs: number;
  message?: string;
}

export async function neoProviderStatus(world: ProviderWorld, name: string): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const obj = await world.kube.get<{ status?: Record<string, unknown> }>(Resources.neoProvider, { name });
  return obj.status ?? {};
}

export async function waitForNodes(world: ProviderWorld, name: string, check: (nodes: NodeRow[]) => boolean, description: string, timeoutMs = 60_000): Promise<NodeRow[]> {
  let last: unknown;
  try {
    return await waitFor(
      async () => {
        const status = await neoProviderStatus(world, name);
        last = status;
        const nodes = (status.nodes ?? []) as NodeRow[];
        return check(nodes) ? nodes : false;
      },
      { timeoutMs, description, intervalMs: 250 },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; NeoProvider status: ${JSON.stringify(last)}`);
  }
}

export async function jobPod(namespace: string, jobId: string) {
  const pods = await coreApi().listNamespacedPod({ namespace, labelSelector: `neoengine.dev/job-id=${jobId}` });
  return pods.items[0];
}

/** The consumer side: the NeoJob operator (startOperator) watching one namespace. */
export async function startConsumerOperator(world: ProviderWorld, namespace: string) {
  const { startOperator } = await import("../../src/operator/index.js");
  const operator = await startOperator({
    kubeconfig: kubeConfig(),
    neoengineUrl: world.network.url,
    token: world.consumerToken,
    namespaces: [namespace],
    metricsAddr: false,
    healthAddr: false,
    pollMinIntervalMs: 300,
    logger: pino({ level: process.env.NEO_LOG_LEVEL ?? "silent" }),
  });
  onTestFinished(() => operator.stop());
  await operator.synced;
  return operator;
}

export function gpuNeoJob(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: "neoengine.dev/v1alpha1",
    kind: "NeoJob",
    metadata: { name },
    spec: {
      image: "ghcr.io/example/train:1.0",
      command: ["python", "train.py"],
      env: [{ name: "EPOCHS", value: "3" }],
      resources: { cpu: 2, memory: "8Gi", gpu: 1, gpuModel: "nvidia-a100" },
      maxPrice: "10.0",
      timeout: "30m",
      ...spec,
    },
  };
}

export async function neoJobStatus(world: ProviderWorld, namespace: string, name: string): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const obj = await world.kube.get<{ status?: Record<string, unknown> }>(Resources.neoJob, { namespace, name });
  return obj.status ?? {};
}

export async function annotatePod(namespace: string, name: string, annotations: Record<string, string>): Promise<void> {
  const { kubectl } = await import("../helpers/cluster.js");
  const r = await kubectl(["annotate", "pod", "-n", namespace, name, "--overwrite", ...Object.entries(annotations).map(([k, v]) => `${k}=${v}`)]);
  if (r.code !== 0) throw new Error(r.stderr);
}
