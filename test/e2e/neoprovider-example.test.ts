// examples/gpu-provider.yaml applies as-is against the real apiserver (CRD schema + CEL rules).
import { describe, expect, it } from "vitest";
import { installCrds, KubeClient } from "../../src/kube/index.js";
import { kubeConfig, kubectl } from "../helpers/cluster.js";

describe("examples/gpu-provider.yaml", () => {
  it("is accepted by the apiserver unchanged", async () => {
    await installCrds(new KubeClient(kubeConfig()));
    const r = await kubectl(["apply", "--dry-run=server", "-f", "examples/gpu-provider.yaml"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("neoprovider.neoengine.dev/gpu-farm created (server dry run)");
  });
});
