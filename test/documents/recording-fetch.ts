/** One request as it went on the wire: what a client tool really sent, body parsed (GET: its query string). */
export interface WireRequest {
  method: string;
  /** The request's fields: the JSON body of a POST, or a GET's search parameters (JSON ones parsed). */
  fields: Record<string, unknown>;
}

/**
 * A `fetch` for client tools (Apollo's HttpLink, Relay's network layer) that records what each request carries
 * before sending it as is: the tests check that no document text goes on the wire.
 */
export function recordingFetch(): { fetch: typeof fetch; requests: WireRequest[] } {
  const requests: WireRequest[] = [];
  const recorder: typeof fetch = async (input, init) => {
    const method = (init?.method ?? "GET").toUpperCase();
    if (method === "POST") {
      // The client tools send their JSON bodies as strings.
      requests.push({ method, fields: JSON.parse(init?.body as string) as Record<string, unknown> });
    } else {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const fields: Record<string, unknown> = {};
      for (const [name, value] of url.searchParams)
        fields[name] = name === "variables" || name === "extensions" ? JSON.parse(value) : value;
      requests.push({ method, fields });
    }
    return fetch(input, init);
  };
  return { fetch: recorder, requests };
}
