/**
 * The API base URL from what a user gives: the network's root (http://host:8787) gets the
 * API's /v1 prefix; a URL that already ends in a version (…/v1, with or without a trailing
 * slash) is kept.
 */
export function apiBaseUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  return /\/v\d+$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
}
