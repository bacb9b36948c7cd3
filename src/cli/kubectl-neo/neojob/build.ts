// Turning `kubectl neo run` flags (or a manifest file) into a NeoJob, with every mistake caught
// here and named by its flag, before anything is sent to the cluster.

import { parseAllDocuments } from "yaml";
import {
  API_VERSION,
  DECIMAL_PATTERN,
  GO_DURATION_PATTERN,
  NEOJOB_KIND,
  QUANTITY_PATTERN,
  isPositiveDecimal,
  neoJobSpecSchema,
} from "../../../api/index.js";
import { usageError } from "../errors.js";

export interface RunFlags {
  image?: string;
  cpu?: number;
  memory?: string;
  gpu?: number;
  gpuModel?: string;
  maxPrice?: string;
  timeout?: string;
  env?: string[];
  minReputation?: number;
  credentialsSecret?: string;
}

const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function checkName(name: string): string {
  if (name.length > 253 || !NAME_PATTERN.test(name)) {
    throw usageError(
      `invalid NeoJob name "${name}"`,
      "use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (e.g. train-1)",
    );
  }
  return name;
}

// Option parsers used by commander: they throw usage errors that name the flag.
export function parseIntFlag(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^[0-9]+$/.test(value.trim())) throw usageError(`${flag} must be a whole number, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw usageError(`${flag} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

export function parseQuantityFlag(flag: string) {
  return (value: string): string => {
    if (!QUANTITY_PATTERN.test(value) || /^[+-]?0*(\.0*)?([KMGTPE]i|[numkMGTPE])?$/.test(value)) {
      throw usageError(`${flag} must be a positive quantity such as 512Mi or 4Gi, got "${value}"`);
    }
    return value;
  };
}

export function parseCreditsFlag(flag: string) {
  return (value: string): string => {
    if (!DECIMAL_PATTERN.test(value) || !isPositiveDecimal(value)) {
      throw usageError(`${flag} must be a positive decimal number of credits such as 1.5, got "${value}"`);
    }
    return value;
  };
}

export function parseDurationFlag(flag: string) {
  return (value: string): string => {
    if (!GO_DURATION_PATTERN.test(value) || /^0+([a-zµ]+)?$/.test(value)) {
      throw usageError(`${flag} must be a duration such as 90s, 30m or 2h, got "${value}"`);
    }
    return value;
  };
}

export function parseGpuModelFlag(value: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
    throw usageError(`--gpu-model must be a market slug such as nvidia-a100 or nvidia-h100, got "${value}"`);
  }
  return value;
}

export function collectEnv(value: string, previous: string[] = []): string[] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(value)) throw usageError(`--env must be NAME=value, got "${value}"`);
  return [...previous, value];
}

/** The NeoJob `kubectl neo run <name> --image ... -- <command...>` creates. */
export function neoJobFromFlags(name: string, flags: RunFlags, command: string[]): Record<string, unknown> {
  checkName(name);
  if (!flags.image) throw usageError("--image is required (or pass a manifest with -f)", "e.g. --image python:3.11-slim");
  if (!flags.maxPrice) {
    throw usageError(
      "--max-price is required: the most the job may cost per hour, in credits",
      "see current prices with `kubectl neo prices`; e.g. --max-price 1.5",
    );
  }
  if (flags.gpuModel && !flags.gpu) throw usageError("--gpu-model needs --gpu N (how many GPUs of that model)");
  const env = (flags.env ?? []).map((kv) => {
    const eq = kv.indexOf("=");
    return { name: kv.slice(0, eq), value: kv.slice(eq + 1) };
  });
  const spec: Record<string, unknown> = {
    image: flags.image,
    ...(command.length > 0 ? { command } : {}),
    ...(env.length > 0 ? { env } : {}),
    resources: {
      cpu: flags.cpu ?? 1,
      memory: flags.memory ?? "1Gi",
      gpu: flags.gpu ?? 0,
      ...(flags.gpuModel ? { gpuModel: flags.gpuModel } : {}),
    },
    maxPrice: flags.maxPrice,
    timeout: flags.timeout ?? "1h",
    ...(flags.minReputation !== undefined ? { placement: { minReputation: flags.minReputation } } : {}),
    ...(flags.credentialsSecret ? { credentialsSecretRef: secretKeyRef(flags.credentialsSecret) } : {}),
  };
  // The CRD would refuse the same things; checking here gives the message before any request.
  const checked = neoJobSpecSchema.safeParse(spec);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw usageError(`invalid NeoJob: spec.${issue.path.join(".")}: ${issue.message}`);
  }
  return { apiVersion: API_VERSION, kind: NEOJOB_KIND, metadata: { name }, spec };
}

function secretKeyRef(value: string): { name: string; key: string } {
  const [name, key = "token"] = value.split(":");
  if (!name || !NAME_PATTERN.test(name) || !key) throw usageError(`--credentials-secret must be <secret>[:<key>], got "${value}"`);
  return { name, key };
}

/** A NeoJob from a manifest (YAML or JSON, one document); `name` overrides metadata.name. */
export function neoJobFromManifest(text: string, source: string, name: string | undefined): Record<string, unknown> {
  let docs: unknown[];
  try {
    const parsed = parseAllDocuments(text);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    for (const doc of list) if (doc.errors.length > 0) throw new Error(doc.errors[0]!.message);
    docs = list.map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
  } catch (error) {
    throw usageError(`${source} is not valid YAML or JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (docs.length !== 1) throw usageError(`${source} must contain exactly one NeoJob, found ${docs.length} documents`);
  const obj = docs[0] as Record<string, unknown>;
  if (typeof obj !== "object" || Array.isArray(obj)) throw usageError(`${source} must contain a NeoJob object`);
  if (obj.kind !== NEOJOB_KIND || obj.apiVersion !== API_VERSION) {
    throw usageError(`${source} must contain a NeoJob (apiVersion ${API_VERSION}, kind ${NEOJOB_KIND}), found ${String(obj.apiVersion)} ${String(obj.kind)}`);
  }
  const metadata = { ...((obj.metadata as Record<string, unknown> | undefined) ?? {}) };
  if (name) metadata.name = name;
  if (typeof metadata.name !== "string" || !metadata.name) {
    throw usageError(`${source} has no metadata.name`, "add one, or pass the name: kubectl neo run <name> -f " + source);
  }
  checkName(metadata.name);
  const checked = neoJobSpecSchema.safeParse(obj.spec);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw usageError(`invalid NeoJob in ${source}: spec.${issue.path.join(".")}: ${issue.message}`);
  }
  return { ...obj, metadata };
}
