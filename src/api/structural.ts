import { z } from "zod";

// Turns zod's JSON Schema (OpenAPI 3.0 flavour) into a Kubernetes *structural* schema:
// - no $ref/$defs (schemas are inlined; a leftover $ref is an error),
// - anyOf [integer, string] becomes x-kubernetes-int-or-string,
// - an unconstrained value ({}) or an open object becomes x-kubernetes-preserve-unknown-fields,
// - keys the apiserver does not accept are dropped, as are zod's ±2^53 integer bounds,
// - every property must have a description (kubectl explain shows them).

export type JsonSchema = Record<string, unknown>;

const SAFE_INT = Number.MAX_SAFE_INTEGER;

/** Keys a CRD's JSONSchemaProps accepts (apiextensions.k8s.io/v1). */
const ALLOWED_KEYS = new Set([
  "type", "format", "description", "default", "enum", "nullable", "pattern",
  "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
  "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
  "properties", "additionalProperties", "items", "required", "example",
  "x-kubernetes-validations", "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-embedded-resource",
]);

export class StructuralSchemaError extends Error {}

function isPlainObject(v: unknown): v is JsonSchema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isIntOrString(variants: unknown[]): boolean {
  const types = variants.map((v) => (isPlainObject(v) ? v.type : undefined)).sort();
  return types.length === 2 && types[0] === "integer" && types[1] === "string";
}

export function toStructural(schema: JsonSchema, path = "", needsDescription = false): JsonSchema {
  if ("$ref" in schema || "$defs" in schema || "definitions" in schema) {
    throw new StructuralSchemaError(`${path || "<root>"}: $ref/$defs are not allowed in a structural schema`);
  }
  let out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === "anyOf" || k === "oneOf") continue;
    if (!ALLOWED_KEYS.has(k)) continue;
    out[k] = v;
  }

  const variants = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (variants) {
    if (!isIntOrString(variants)) {
      throw new StructuralSchemaError(`${path}: only integer|string unions are supported (as x-kubernetes-int-or-string)`);
    }
    delete out.type;
    out["x-kubernetes-int-or-string"] = true;
  }

  // zod emits ±2^53 for .int(); the apiserver does not need them and they obscure the schema.
  if (out.maximum === SAFE_INT) delete out.maximum;
  if (out.minimum === -SAFE_INT) delete out.minimum;

  if (isPlainObject(out.properties)) {
    const props: JsonSchema = {};
    for (const [name, sub] of Object.entries(out.properties)) {
      if (!isPlainObject(sub)) throw new StructuralSchemaError(`${path}.${name}: not a schema`);
      props[name] = toStructural(sub, `${path}.${name}`, true);
    }
    out.properties = props;
    if (Array.isArray(out.required) && out.required.length === 0) delete out.required;
    if (out.additionalProperties === false) delete out.additionalProperties;
    if (isPlainObject(out.additionalProperties)) {
      // A loose object: properties + unknown extra keys. Structural schemas cannot have both.
      delete out.additionalProperties;
      out["x-kubernetes-preserve-unknown-fields"] = true;
    }
  } else if (isPlainObject(out.additionalProperties)) {
    out.additionalProperties = toStructural(out.additionalProperties, `${path}[*]`, false);
  }
  if (isPlainObject(out.items)) out.items = toStructural(out.items, `${path}[]`, false);

  if (out.type === undefined && !out["x-kubernetes-int-or-string"]) {
    // An unconstrained value (z.unknown()/z.any()).
    out = { ...out, "x-kubernetes-preserve-unknown-fields": true };
  }
  // Only a string format that the apiserver knows is worth keeping; drop zod's long date-time regex.
  if (out.format === "date-time") delete out.pattern;

  if (needsDescription && typeof out.description !== "string") {
    throw new StructuralSchemaError(`${path}: every field needs a description (use .describe() or .meta({description}))`);
  }
  return out;
}

/** JSON Schema of a zod schema as the apiserver will see it (input side: defaults are optional). */
export function structuralSchemaOf(schema: z.ZodType, path: string): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: "openapi-3.0",
    io: "input",
    reused: "inline",
    cycles: "throw",
    unrepresentable: "throw",
  }) as JsonSchema;
  return toStructural(json, path);
}
