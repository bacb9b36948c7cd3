// Building request URLs from the base URL and an endpoint template such as `/jobs/{id}`.

export type QueryValue = string | number | boolean | undefined;

/** Validates and normalises the base URL (http or https, no trailing slash, no credentials). */
export function normaliseBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`baseUrl is not a valid URL: ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`baseUrl must use http or https, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new TypeError("baseUrl must not contain credentials; pass the token separately");
  }
  if (url.search || url.hash) throw new TypeError("baseUrl must not contain a query or fragment");
  return url.toString().replace(/\/+$/, "");
}

/** Fills `{name}` placeholders with URL-encoded values; every placeholder must be given. */
export function fillTemplate(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === "") {
      throw new TypeError(`missing path parameter "${name}" for ${template}`);
    }
    return encodeURIComponent(value);
  });
}

export function buildUrl(
  baseUrl: string,
  template: string,
  params?: Record<string, string>,
  query?: Record<string, QueryValue>,
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) search.set(key, String(value));
  }
  const qs = search.toString();
  return `${baseUrl}${fillTemplate(template, params)}${qs ? `?${qs}` : ""}`;
}
