import type { z } from "zod";
import { neoJobSchema, type NeoJob } from "./neojob.js";
import { neoProviderSchema, type NeoProvider } from "./neoprovider.js";

// Parse custom resources from the apiserver with zod, never with client-node's generated models:
// typed list results carry Date objects while watch events carry raw strings, and the schemas
// coerce both to RFC 3339 strings. Defaults are applied, unknown fields are kept.

export class InvalidObjectError extends Error {
  constructor(
    readonly kind: string,
    readonly ref: string,
    readonly issues: z.core.$ZodIssue[],
  ) {
    super(`invalid ${kind} ${ref}: ${issues.map((i) => `${i.path.join(".") || "<root>"}: ${i.message}`).join("; ")}`);
    this.name = "InvalidObjectError";
  }
}

function refOf(obj: unknown): string {
  const meta = (obj as { metadata?: { namespace?: string; name?: string } } | null)?.metadata;
  return meta?.namespace ? `${meta.namespace}/${meta.name ?? "?"}` : (meta?.name ?? "?");
}

function parser<S extends z.ZodType>(kind: string, schema: S) {
  return {
    parse(obj: unknown): z.output<S> {
      const result = schema.safeParse(obj);
      if (!result.success) throw new InvalidObjectError(kind, refOf(obj), result.error.issues);
      return result.data;
    },
    safeParse(obj: unknown): { ok: true; value: z.output<S> } | { ok: false; error: InvalidObjectError } {
      const result = schema.safeParse(obj);
      return result.success
        ? { ok: true, value: result.data }
        : { ok: false, error: new InvalidObjectError(kind, refOf(obj), result.error.issues) };
    },
  };
}

const neoJobParser = parser("NeoJob", neoJobSchema);
const neoProviderParser = parser("NeoProvider", neoProviderSchema);

/** Parses a NeoJob from a list result or a watch event; throws InvalidObjectError. */
export function parseNeoJob(obj: unknown): NeoJob {
  return neoJobParser.parse(obj);
}
export function safeParseNeoJob(obj: unknown) {
  return neoJobParser.safeParse(obj);
}

/** Parses a NeoProvider from a list result or a watch event; throws InvalidObjectError. */
export function parseNeoProvider(obj: unknown): NeoProvider {
  return neoProviderParser.parse(obj);
}
export function safeParseNeoProvider(obj: unknown) {
  return neoProviderParser.safeParse(obj);
}
