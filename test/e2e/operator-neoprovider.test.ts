// The operator process runs both controllers: started through the neoengine-operator CLI with
// a provider token from a Secret (--provider-token-secret), a NeoProvider's nodes register on
// the network, and a consumer's job runs as a Pod there.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../src/devcluster/versions.js";
import { Resources } from "../../src/kube/index.js";
import { coreApi, freshNamespace, kubeconfigPath, waitFor } from "../helpers/cluster.js";
import { createNeoProvider, gpuNodes, providerWorld, suffix, waitForNodes } from "./neoprovider-harness.js";

const children: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

describe("neoengine-operator runs the NeoProvider controller", () => {
  it("sells the selected nodes with the provider token from --provider-token-secret", async () => {
    const world = await providerWorld();
    const [node] = await gpuNodes(world, 1, 4, "NVIDIA-H100-80GB-HBM3");
    const ns = await freshNamespace("op-np");
    const core = coreApi();
    // A dedicated GPU node, as a provider would taint it (job Pods tolerate this taint), instead
    // of kwok's own taint, which only the tests' in-process controllers are told to tolerate.
    await world.kube.mergePatch(Resources.node, { name: node! }, { spec: { taints: [{ key: "neoengine.dev/dedicated", value: "gpu", effect: "NoSchedule" }] } });
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: "provider-token" }, stringData: { token: world.providerToken } } });
    const name = `np-op-${suffix()}`;
    await createNeoProvider(world, name, {
      prices: { cpu: "0.05", memory: "0.01", gpu: { "nvidia-h100": "3.0" } },
      jobNamespace: `neo-jobs-${suffix()}`,
    });

    let output = "";
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(repoRoot(), "src/cli/operator.ts"),
        `--kubeconfig=${kubeconfigPath()}`,
        `--neoengine-url=${world.network.url}`,
        `--namespace=${ns}`,
        `--provider-token-secret=${ns}/provider-token`,
        "--metrics-addr=127.0.0.1:0",
        "--health-addr=127.0.0.1:0",
      ],
      { cwd: repoRoot(), env: { ...process.env, NEO_LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(child);
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));

    const nodes = await waitForNodes(world, name, (n) => n.some((x) => x.name === node && x.state === "Online"), "node Online", 90_000);
    const row = nodes.find((n) => n.name === node)!;
    expect(row).toMatchObject({ gpuModel: "nvidia-h100", gpus: 4 });
    const provider = await world.providerClient.getProvider(row.providerId!);
    expect(provider.online).toBe(true);
    expect(provider.prices.gpu).toBe("3.000000");
    expect(output).toContain("NeoProvider controller running");
    expect(output).not.toContain(world.providerToken);

    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await waitFor(() => exited, { timeoutMs: 40_000, description: "graceful exit" })).toBe(0);
  }, 150_000);
});
