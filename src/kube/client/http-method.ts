// The HTTP methods and patch content types the client sends. Our own, so that callers do not
// load @kubernetes/client-node (≈74 MiB of generated API classes) for an enum. Same member
// names as client-node's HttpMethod, so `HttpMethod.GET` call sites read the same.

export const HttpMethod = {
  GET: "GET",
  POST: "POST",
  PUT: "PUT",
  PATCH: "PATCH",
  DELETE: "DELETE",
} as const;
export type HttpMethod = (typeof HttpMethod)[keyof typeof HttpMethod];

export const PatchContentType = {
  JsonPatch: "application/json-patch+json",
  MergePatch: "application/merge-patch+json",
  StrategicMergePatch: "application/strategic-merge-patch+json",
  ServerSideApply: "application/apply-patch+yaml",
} as const;
