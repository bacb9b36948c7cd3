import { allCrds, type CustomResourceDefinition } from "../../api/crd.js";
import { waitUntil } from "./wait.js";
import type { KubeClient } from "../client/kube-client.js";
import { isAlreadyExists } from "../client/errors.js";
import { Resources } from "../client/resource.js";

// Installs (or updates) the generated CRDs through the API and waits until they are served.
// The same objects `npm run generate` writes to crds/.

interface CrdStatus {
  metadata: { resourceVersion?: string };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

export async function installCrds(client: KubeClient, crds: CustomResourceDefinition[] = allCrds(), timeoutMs = 30_000): Promise<void> {
  for (const crd of crds) {
    try {
      await client.create(Resources.crd, crd as unknown as Record<string, unknown>);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const current = await client.get<CrdStatus>(Resources.crd, { name: crd.metadata.name });
      await client.replace(Resources.crd, { name: crd.metadata.name }, {
        ...(crd as unknown as Record<string, unknown>),
        metadata: { ...crd.metadata, resourceVersion: current.metadata.resourceVersion },
      });
    }
  }
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
}
