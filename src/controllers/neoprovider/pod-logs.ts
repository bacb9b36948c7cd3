import { HttpMethod, type KubeClient } from "../../kube/index.js";
import { JOB_CONTAINER } from "./labels.js";

// Reads a container's log through the Pods log API (GET .../pods/{name}/log). src/kube's client
// has no typed method for it; its generic request() sends the call (text/plain comes back as a
// string). Returns the body with kubelet timestamps, at most limitBytes.

export async function readPodLog(
  kube: KubeClient,
  namespace: string,
  pod: string,
  opts: { sinceTime?: string; limitBytes: number },
): Promise<string> {
  const body = await kube.request<unknown>(HttpMethod.GET, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`, {
    query: { container: JOB_CONTAINER, timestamps: true, sinceTime: opts.sinceTime, limitBytes: opts.limitBytes },
  });
  return typeof body === "string" ? body : "";
}
