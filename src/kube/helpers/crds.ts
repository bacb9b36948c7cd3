import { admissionPolicies, type AdmissionPolicyObject } from "../../api/admission.js";
import { allCrds, type CustomResourceDefinition } from "../../api/crd.js";
import { API_VERSION, FINALIZER_CANCEL_JOB, NEOJOB_KIND } from "../../api/group.js";
import { waitUntil } from "./wait.js";
import type { KubeClient } from "../client/kube-client.js";
import { isAlreadyExists, isNotFound } from "../client/errors.js";
import { HttpMethod } from "../client/http-method.js";
import { collectionPath, Resources, type ResourceType } from "../client/resource.js";

// Installs (or updates) the generated CRDs through the API and waits until they are served, then
// the NeoJob finalizer admission policy (src/api/admission.ts) where the cluster serves
// MutatingAdmissionPolicy. The same objects `npm run generate` / the chart install.

interface CrdStatus {
  metadata: { resourceVersion?: string };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

export async function installCrds(client: KubeClient, crds: CustomResourceDefinition[] = allCrds(), timeoutMs = 30_000): Promise<void> {
  for (const crd of crds) await createOrReplace(client, Resources.crd, crd);
  for (const crd of crds) {
    await waitUntil(
      async () => {
        const got = await client.get<CrdStatus>(Resources.crd, { name: crd.metadata.name });
        return got.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ?? false;
      },
      timeoutMs,
      `CRD ${crd.metadata.name} Established`,
    );
  }
  if (crds.some((c) => c.spec.names.kind === NEOJOB_KIND)) await installAdmissionPolicies(client);
}

const POLICY_TYPES: Record<AdmissionPolicyObject["kind"], ResourceType> = {
  MutatingAdmissionPolicy: Resources.mutatingAdmissionPolicy,
  MutatingAdmissionPolicyBinding: Resources.mutatingAdmissionPolicyBinding,
};

/** Creates a cluster-scoped object, or replaces it (at its current resourceVersion) when it exists. */
async function createOrReplace(client: KubeClient, type: ResourceType, obj: { metadata: { name: string } }): Promise<void> {
  try {
    await client.create(type, obj as unknown as Record<string, unknown>);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const current = await client.get<CrdStatus>(type, { name: obj.metadata.name });
    await client.replace(type, { name: obj.metadata.name }, { ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } });
  }
}

/**
 * Installs the finalizer admission policy and waits until the apiserver applies it (a dry-run
 * NeoJob create comes back with the finalizer; right after a CRD is created the policy needs a
 * moment before it knows the new type). Returns false when the cluster has no
 * MutatingAdmissionPolicy API (Kubernetes < 1.36 without the beta): the operator then adds the
 * finalizer itself.
 */
export async function installAdmissionPolicies(client: KubeClient, namespace = "default", timeoutMs = 30_000): Promise<boolean> {
  try {
    for (const obj of admissionPolicies()) await createOrReplace(client, POLICY_TYPES[obj.kind], obj);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
  const probe = {
    metadata: { generateName: "admission-probe-", namespace },
    spec: { image: "probe", resources: { cpu: 1, memory: "1Gi" }, maxPrice: "1", timeout: "1m" },
  };
  await waitUntil(
    async () => {
      const created = await client.request<{ metadata?: { finalizers?: string[] } }>(HttpMethod.POST, collectionPath(Resources.neoJob, namespace), {
        query: { dryRun: "All" },
        body: { apiVersion: API_VERSION, kind: NEOJOB_KIND, ...probe },
      });
      return created.metadata?.finalizers?.includes(FINALIZER_CANCEL_JOB) ?? false;
    },
    timeoutMs,
    "the NeoJob finalizer admission policy to take effect",
  );
  return true;
}
