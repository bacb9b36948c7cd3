// Helpers for e2e tests against the real control plane the global setup started.
import { execFile } from "node:child_process";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { inject, onTestFinished } from "vitest";
import { waitFor } from "./wait.js";
import { KWOK_TAINT, KWOK_TOLERATION, fakeGpuNode, type FakeGpuNodeOptions } from "../../src/devcluster/fake-nodes.js";
import { LABEL_FINALIZER_POLICY } from "../../src/api/index.js";

export { waitFor } from "./wait.js";

export function kubeconfigPath(): string {
  return inject("kubeconfigPath");
}

export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

export function coreApi(): CoreV1Api {
  return kubeConfig().makeApiClient(CoreV1Api);
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(binary: string, args: string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      binary,
      args,
      { env: { ...process.env, KUBECONFIG: kubeconfigPath() }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as NodeJS.ErrnoException).code === "number" ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The pinned kubectl against the test cluster. */
export function kubectl(args: string[], input?: string): Promise<CommandResult> {
  return run(inject("binaries").kubectl, args, input);
}

/** The pinned helm against the test cluster. */
export function helm(args: string[]): Promise<CommandResult> {
  return run(inject("binaries").helm, args);
}

/** A new namespace for this test, deleted (without waiting) when the test finishes. */
/**
 * Labels of a namespace whose NeoJobs no operator handles: the finalizer admission policy leaves
 * them alone, so a deleted NeoJob goes away at once (tests of the raw kube machinery).
 */
export const WITHOUT_OPERATOR = { labels: { [LABEL_FINALIZER_POLICY]: "disabled" } };

export async function freshNamespace(prefix = "e2e", opts: { labels?: Record<string, string> } = {}): Promise<string> {
  const core = coreApi();
  const ns = await core.createNamespace({ body: { metadata: { generateName: `${prefix}-`, labels: opts.labels } } });
  const name = ns.metadata!.name!;
  onTestFinished(async () => {
    await core.deleteNamespace({ name }).catch(() => undefined);
  });
  // The service-account controller must have created "default" before pods can be made.
  await waitFor(() => core.readNamespacedServiceAccount({ name: "default", namespace: name }).then(() => true), {
    description: `ServiceAccount default in ${name}`,
  });
  return name;
}

export interface GpuNodeOptions extends Omit<FakeGpuNodeOptions, "gpus"> {
  count: number;
  gpusPerNode: number;
  namePrefix?: string;
}

export { KWOK_TAINT, KWOK_TOLERATION };

/**
 * Creates N kwok fake nodes with M GPUs each and GPU Feature Discovery labels, waits until
 * kwok reports them Ready, and deletes them when the test finishes. Returns their names.
 */
export async function createGpuNodes(opts: GpuNodeOptions): Promise<string[]> {
  const core = coreApi();
  const prefix = opts.namePrefix ?? `gpu-${Math.random().toString(36).slice(2, 7)}`;
  const names: string[] = [];
  for (let i = 0; i < opts.count; i++) {
    const name = `${prefix}-${i}`;
    await core.createNode({ body: fakeGpuNode(name, { ...opts, gpus: opts.gpusPerNode }) });
    names.push(name);
  }
  onTestFinished(async () => {
    for (const name of names) await core.deleteNode({ name }).catch(() => undefined);
  });
  await waitFor(
    async () => {
      for (const name of names) {
        const node = await core.readNode({ name });
        if (!node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) return false;
      }
      return true;
    },
    { description: `${names.length} fake GPU node(s) Ready` },
  );
  return names;
}
