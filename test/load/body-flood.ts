import { connect, type Socket } from "node:net";

// The flood of issue 18, shared by its test (test/security/body-flood.test.ts) and the measurement script
// (test/load/partial-bodies.ts): sockets that each send the headers of a POST /graphql and its body minus one byte,
// then wait; and one well-behaved caller's queries timed beside them.

export const FLOOD_QUERY = `{ referralMember(memberId: "WELCOME-REF") { holders { totalCount } } }`;

export interface PartialBodyClient {
  socket: Socket;
  /** The status code of the gateway's answer ("none" while unanswered). */
  status: string;
  /** When the gateway (or anything) closed the socket; null while open. */
  closedAt: number | null;
  /** Settles when the socket is closed. */
  closed: Promise<void>;
}

/**
 * Opens one socket, sends the headers of a POST with Content-Length `bodyBytes` and then `bodyBytes - 1` bytes of
 * body. Resolves once those bytes are handed to the kernel (or the socket is gone): from then on they are the server's.
 */
export function openPartialBody(port: number, body: Buffer, headers: Record<string, string> = {}): Promise<PartialBodyClient> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const closed = new Promise<void>((resolveClosed) => socket.once("close", () => resolveClosed()));
    const client: PartialBodyClient = { socket, status: "none", closedAt: null, closed };
    socket.on("data", (chunk: Buffer) => {
      if (client.status === "none") client.status = /^HTTP\/1\.1 (\d+)/.exec(chunk.toString("latin1"))?.[1] ?? "other";
    });
    // A reset by the gateway (it closes refused clients mid-body) is an answer here, not a failure.
    socket.on("error", () => {});
    socket.on("close", () => {
      client.closedAt = Date.now();
      resolve(client);
    });
    socket.on("connect", () => {
      const extra = Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join("");
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}Content-Length: ${body.length + 1}\r\n\r\n`,
      );
      socket.write(body, () => resolve(client));
    });
  });
}

/** Opens `count` partial-body clients at once; resolves when every one has sent its bytes or been closed. */
export function openPartialBodies(port: number, count: number, body: Buffer, headers: Record<string, string> = {}) {
  return Promise.all(Array.from({ length: count }, () => openPartialBody(port, body, headers)));
}

export interface TimedQueries {
  statuses: number[];
  /** Answers whose JSON was not the expected data. */
  wrongAnswers: number;
  latenciesMs: number[];
}

/** Resolves once `count` of the clients are closed. */
export function closedCount(clients: PartialBodyClient[], count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    if (count <= 0) resolve();
    for (const client of clients) void client.closed.then(() => ++seen === count && resolve());
  });
}

/** `count` queries, `concurrency` at a time, each timed from send to its whole answer. */
export async function timedQueries(
  graphqlUrl: string,
  headers: Record<string, string>,
  count: number,
  concurrency = 4,
): Promise<TimedQueries> {
  const result: TimedQueries = { statuses: [], wrongAnswers: 0, latenciesMs: [] };
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const started = performance.now();
      const response = await fetch(graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query: FLOOD_QUERY }),
      });
      const text = await response.text();
      result.latenciesMs.push(performance.now() - started);
      result.statuses.push(response.status);
      if (!isExpectedAnswer(text)) result.wrongAnswers++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}

function isExpectedAnswer(text: string): boolean {
  try {
    const body = JSON.parse(text) as { data?: { referralMember?: { holders?: { totalCount?: number } } }; errors?: unknown };
    return body.errors === undefined && body.data?.referralMember?.holders?.totalCount === 26;
  } catch {
    return false;
  }
}

/** The value below which `p` of the values fall (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
