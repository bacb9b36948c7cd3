import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { gpuProductOf, isGpuModelSlug, normaliseGpuModel } from "../../../src/controllers/neoprovider/model/gpu-model.js";

describe("normaliseGpuModel", () => {
  it.each([
    ["NVIDIA-A100-SXM4-80GB", "nvidia-a100"],
    ["NVIDIA-A100-PCIE-40GB", "nvidia-a100"],
    ["NVIDIA-A100-SXM4-40GB-MIG-1g.5gb", "nvidia-a100"],
    ["NVIDIA-H100-80GB-HBM3", "nvidia-h100"],
    ["NVIDIA-H100-NVL", "nvidia-h100"],
    ["NVIDIA-H200", "nvidia-h200"],
    ["NVIDIA-GH200-480GB", "nvidia-gh200"],
    ["NVIDIA-L4", "nvidia-l4"],
    ["NVIDIA-L40S", "nvidia-l40s"],
    ["NVIDIA-A10G", "nvidia-a10g"],
    ["Tesla-T4", "nvidia-t4"],
    ["Tesla-V100-SXM2-16GB", "nvidia-v100"],
    ["NVIDIA-GeForce-RTX-4090", "nvidia-rtx-4090"],
    ["NVIDIA GeForce RTX 3090 Ti", "nvidia-rtx-3090-ti"],
    ["NVIDIA-RTX-A6000", "nvidia-rtx-a6000"],
    ["Quadro-RTX-8000", "nvidia-rtx-8000"],
    ["AMD Instinct MI300X", "amd-mi300x"],
    ["AMD_Instinct_MI250X_OAM", "amd-mi250x"],
    ["MI300X", "amd-mi300x"],
  ])("%s -> %s", (product, slug) => {
    const model = normaliseGpuModel(product);
    expect(model).toEqual({ slug, recognised: true, source: "rule" });
  });

  it("applies the override map first, exactly or case-insensitively", () => {
    const overrides = { "NVIDIA-A100-SXM4-80GB": "nvidia-a100-80gb", "custom board": "acme-x1" };
    expect(normaliseGpuModel("NVIDIA-A100-SXM4-80GB", overrides)?.slug).toBe("nvidia-a100-80gb");
    expect(normaliseGpuModel("CUSTOM BOARD", overrides)).toEqual({ slug: "acme-x1", recognised: true, source: "override" });
    expect(normaliseGpuModel("NVIDIA-A100-PCIE-40GB", overrides)?.slug).toBe("nvidia-a100");
  });

  it("falls back to a slug of the whole label for unknown products", () => {
    expect(normaliseGpuModel("Some Accelerator")).toEqual({ slug: "some-accelerator", recognised: false, source: "fallback" });
    expect(normaliseGpuModel("")).toBeUndefined();
    expect(normaliseGpuModel(undefined)).toBeUndefined();
  });

  it("always yields a valid market slug for rules and fallbacks", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (product) => {
        const model = normaliseGpuModel(product);
        if (model) expect(isGpuModelSlug(model.slug)).toBe(true);
      }),
    );
  });

  it("reads the product from GFD or AMD labels", () => {
    expect(gpuProductOf({ "nvidia.com/gpu.product": "NVIDIA-L4" })).toBe("NVIDIA-L4");
    expect(gpuProductOf({ "amd.com/gpu.product-name": "AMD_Instinct_MI300X" })).toBe("AMD_Instinct_MI300X");
    expect(gpuProductOf({})).toBeUndefined();
  });
});
