// GPU model normalisation: GPU Feature Discovery product labels ("NVIDIA-A100-SXM4-80GB") to the
// market's model slugs ("nvidia-a100"). Consumers ask for a model, not for a form factor or a
// memory size, so those are dropped; the spec's override map wins over the built-in rules.

/** Node labels that carry the GPU product name, in order of preference. */
export const GPU_PRODUCT_LABELS = [
  "nvidia.com/gpu.product",
  "amd.com/gpu.product-name",
  "beta.amd.com/gpu.product-name",
] as const;

/** Node label that carries the memory of one GPU in MiB (GPU Feature Discovery). */
export const GPU_MEMORY_LABEL = "nvidia.com/gpu.memory";

const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function isGpuModelSlug(value: string): boolean {
  return SLUG_RE.test(value);
}

type Vendor = "nvidia" | "amd" | "intel";

const VENDOR_TOKENS: Record<string, Vendor> = {
  NVIDIA: "nvidia",
  TESLA: "nvidia",
  GEFORCE: "nvidia",
  QUADRO: "nvidia",
  AMD: "amd",
  INSTINCT: "amd",
  RADEON: "amd",
  INTEL: "intel",
};

/** Tokens that describe packaging, memory or partitioning, never the model. */
function isNoise(token: string): boolean {
  return (
    /^(SXM\d*|PCIE|PCI|NVL|NVLINK|HBM\d*E?|OAM|GDDR\d*X?|DGX|HGX|GRID|MIG|LHR|OEM)$/.test(token) ||
    /^\d+(\.\d+)?(GB|G|TB)$/.test(token) ||
    /^\d+G\.\d+GB$/i.test(token)
  );
}

/** Series prefixes that belong to the model name (RTX 4090 -> rtx-4090). */
const SERIES = new Set(["RTX", "GTX", "TITAN"]);
/** Suffixes that belong to the model name (RTX 3090 Ti -> rtx-3090-ti). */
const SUFFIXES = new Set(["TI", "SUPER", "ADA", "XT", "XTX"]);
/** A model token: letters and digits with at least one digit (A100, L40S, MI300X, 4090, T4). */
const MODEL_RE = /^[A-Z]{0,4}\d{1,5}[A-Z]{0,3}$/;

export interface GpuModel {
  /** Market slug, e.g. nvidia-a100. */
  slug: string;
  /** True when a built-in rule recognised the product; false for the slugified fallback. */
  recognised: boolean;
  /** Where the slug came from. */
  source: "override" | "rule" | "fallback";
}

/**
 * Normalises a product label to a market slug. `overrides` maps a product label (exact, or
 * case-insensitive) to a slug and wins over the rules. Returns undefined for an empty product.
 */
export function normaliseGpuModel(product: string | undefined, overrides: Record<string, string> = {}): GpuModel | undefined {
  const raw = product?.trim();
  if (!raw) return undefined;
  // Own keys only: a product named "constructor" must not hit Object.prototype.
  const override = (Object.hasOwn(overrides, raw) ? overrides[raw] : undefined) ?? Object.entries(overrides).find(([k]) => k.toLowerCase() === raw.toLowerCase())?.[1];
  if (override !== undefined) return { slug: override, recognised: true, source: "override" };

  // MIG profiles append "-MIG-1g.10gb" and friends: the physical GPU is what precedes them.
  const withoutMig = raw.replace(/[-_ ]MIG[-_ ].*$/i, "");
  const tokens = withoutMig.toUpperCase().split(/[-_\s/]+/).filter(Boolean);
  let vendor: Vendor | undefined;
  const rest: string[] = [];
  for (const token of tokens) {
    const v = VENDOR_TOKENS[token];
    if (v) vendor ??= v;
    else rest.push(token);
  }
  const model = modelTokens(rest);
  if (model.length > 0) {
    // An MI model without a vendor token is AMD; anything else without one is assumed NVIDIA
    // (GPU Feature Discovery sometimes omits the vendor, e.g. "Tesla-T4" keeps only Tesla).
    vendor ??= model[0]?.startsWith("MI") ? "amd" : "nvidia";
    const slug = [vendor, ...model].join("-").toLowerCase();
    if (isGpuModelSlug(slug)) return { slug, recognised: true, source: "rule" };
  }
  const fallback = slugify(raw);
  return fallback ? { slug: fallback, recognised: false, source: "fallback" } : undefined;
}

function modelTokens(tokens: string[]): string[] {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (isNoise(token)) continue;
    if (SERIES.has(token)) {
      const next = tokens[i + 1];
      if (next !== undefined && !isNoise(next) && MODEL_RE.test(next)) return withSuffixes([token, next], tokens, i + 2);
      continue;
    }
    if (MODEL_RE.test(token)) return withSuffixes([token], tokens, i + 1);
  }
  return [];
}

function withSuffixes(model: string[], tokens: string[], from: number): string[] {
  const out = [...model];
  for (let i = from; i < tokens.length && SUFFIXES.has(tokens[i] as string); i++) out.push(tokens[i] as string);
  return out;
}

/** Lower-case, non-alphanumerics to single dashes, trimmed to a valid slug. */
export function slugify(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/g, "");
}

/** The GPU product label of a node, if any (first of GPU_PRODUCT_LABELS present). */
export function gpuProductOf(labels: Record<string, string> | undefined): string | undefined {
  for (const key of GPU_PRODUCT_LABELS) {
    const value = labels?.[key];
    if (value) return value;
  }
  return undefined;
}
