import type { z } from "zod";
import {
  GROUP,
  NEOJOB_KIND,
  NEOJOB_PLURAL,
  NEOJOB_SHORT_NAMES,
  NEOJOB_SINGULAR,
  NEOPROVIDER_KIND,
  NEOPROVIDER_PLURAL,
  NEOPROVIDER_SHORT_NAMES,
  NEOPROVIDER_SINGULAR,
  VERSION,
} from "./group.js";
import { neoJobImmutabilityRule, neoJobSpecSchema, neoJobStatusSchema } from "./neojob.js";
import { neoProviderSpecSchema, neoProviderStatusSchema } from "./neoprovider.js";
import { structuralSchemaOf, type JsonSchema } from "./structural.js";

// CustomResourceDefinition objects built from the zod schemas. generate.ts writes them to crds/;
// tests apply them to the real apiserver and compare them with the committed files.

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description: string;
  priority?: number;
}

interface CrdInput {
  kind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  scope: "Namespaced" | "Cluster";
  description: string;
  spec: z.ZodType;
  status: z.ZodType;
  rootRules?: unknown[];
  columns: PrinterColumn[];
}

function rootSchema(input: CrdInput): JsonSchema {
  const schema: JsonSchema = {
    type: "object",
    description: input.description,
    properties: {
      apiVersion: { type: "string", description: "APIVersion defines the versioned schema of this representation of an object." },
      kind: { type: "string", description: "Kind is a string value representing the REST resource this object represents." },
      metadata: { type: "object" },
      spec: structuralSchemaOf(input.spec, "spec"),
      status: structuralSchemaOf(input.status, "status"),
    },
    required: ["spec"],
  };
  if (input.rootRules?.length) schema["x-kubernetes-validations"] = input.rootRules;
  return schema;
}

function buildCrd(input: CrdInput) {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${input.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: input.kind,
        listKind: `${input.kind}List`,
        plural: input.plural,
        singular: input.singular,
        shortNames: [...input.shortNames],
        categories: ["neoengine"],
      },
      scope: input.scope,
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: input.columns,
          schema: { openAPIV3Schema: rootSchema(input) },
        },
      ],
    },
  };
}

export type CustomResourceDefinition = ReturnType<typeof buildCrd>;

export function neoJobCrd(): CustomResourceDefinition {
  return buildCrd({
    kind: NEOJOB_KIND,
    plural: NEOJOB_PLURAL,
    singular: NEOJOB_SINGULAR,
    shortNames: NEOJOB_SHORT_NAMES,
    scope: "Namespaced",
    description: "NeoJob runs a container image once on the NeoEngine compute network and mirrors its status.",
    spec: neoJobSpecSchema,
    status: neoJobStatusSchema,
    rootRules: [neoJobImmutabilityRule()],
    columns: [
      { name: "Phase", type: "string", jsonPath: ".status.phase", description: "Lifecycle phase." },
      { name: "Progress", type: "integer", jsonPath: ".status.progress", description: "Progress reported by the job, 0-100." },
      { name: "Provider", type: "string", jsonPath: ".status.provider", description: "Provider running the job." },
      { name: "Job-ID", type: "string", jsonPath: ".status.jobId", description: "Id of the remote job." },
      { name: "Cost", type: "string", jsonPath: ".status.cost", description: "Credits charged so far." },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time since creation." },
    ],
  });
}

export function neoProviderCrd(): CustomResourceDefinition {
  return buildCrd({
    kind: NEOPROVIDER_KIND,
    plural: NEOPROVIDER_PLURAL,
    singular: NEOPROVIDER_SINGULAR,
    shortNames: NEOPROVIDER_SHORT_NAMES,
    scope: "Cluster",
    description: "NeoProvider sells a cluster's GPU nodes on the NeoEngine compute network.",
    spec: neoProviderSpecSchema,
    status: neoProviderStatusSchema,
    columns: [
      { name: "Nodes", type: "integer", jsonPath: ".status.nodeCount", description: "Nodes sold on the network." },
      { name: "GPUs", type: "integer", jsonPath: ".status.gpus", description: "Total GPUs." },
      { name: "Free", type: "integer", jsonPath: ".status.freeGpus", description: "Free GPUs." },
      { name: "Running", type: "integer", jsonPath: ".status.runningJobs", description: "Network jobs running." },
      { name: "Earnings", type: "string", jsonPath: ".status.earnings", description: "Earnings in credits." },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time since creation." },
    ],
  });
}

export function allCrds(): CustomResourceDefinition[] {
  return [neoJobCrd(), neoProviderCrd()];
}
