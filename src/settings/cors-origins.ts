/**
 * Checks one CORS_ORIGINS entry. Browsers send `Origin` as scheme://host[:port], lower case, default port omitted,
 * and the gateway compares it byte for byte: an entry in any other spelling would silently never match, so it is
 * refused at start-up with the spelling that would.
 */
export function corsOriginProblem(entry: string): string | null {
  if (entry.includes("*")) return `"${entry}": wildcards are not accepted; list each origin`;
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return `"${entry}" is not an origin; expected scheme://host[:port], for example https://app.example.com`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return `"${entry}" must be an http or https origin`;
  if (url.username || url.password) return `"${entry}" must not carry credentials`;
  if (url.origin !== entry) {
    const hasExtra = url.pathname !== "/" || url.search || url.hash || entry.endsWith("/");
    return hasExtra
      ? `"${entry}" has a path, query or trailing slash; an origin is scheme://host[:port] only: "${url.origin}"`
      : `"${entry}" is not written as browsers send it; use "${url.origin}"`;
  }
  return null;
}
