import { once } from "node:events";
import { connect, type Socket } from "node:net";

/** Resolves with the promise, or rejects after `ms`: every wait in these tests is bounded. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A raw TCP client, to behave as no HTTP library would: stall mid-headers, stall mid-body, hold a socket. */
export interface RawClient {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Settles when the socket is closed, by either side. */
  closed: Promise<void>;
}

export async function rawClient(port: number, host = "127.0.0.1"): Promise<RawClient> {
  const socket = connect(port, host);
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
  // A reset from the server is one way of being closed; the tests look at what arrived, not at the error.
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await within(5000, "connect", once(socket, "connect"));
  return { socket, received: () => text, closed };
}

/** Settles once what the client received matches `pattern` (checked as data arrives). */
export function receivedMatching(client: RawClient, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!pattern.test(client.received())) return;
      client.socket.off("data", check);
      resolve();
    };
    client.socket.on("data", check);
    check();
  });
}

export function write(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve())));
}

/** What an upload that wrote its whole request before reading received. */
export interface UploadOutcome {
  /** The status line's code, or "none" when no answer arrived. */
  status: string;
  /** The socket error seen (ECONNRESET, EPIPE), if any. */
  error: string | null;
}

/**
 * Writes a whole request (head and body) as fast as the connection takes it, and only then reads the answer, until
 * the server closes. A client that uploads first and reads after, as a form post does: when the server closes with
 * body bytes unread, the kernel resets the connection and the answer waiting in this client's buffers is lost.
 */
export async function uploadThenRead(port: number, request: Buffer[], bounds = 30_000): Promise<UploadOutcome> {
  const socket = connect(port, "127.0.0.1");
  let error: string | null = null;
  socket.on("error", (cause: NodeJS.ErrnoException) => (error ??= cause.code ?? cause.message));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await within(bounds, "connect", Promise.race([once(socket, "connect"), closed]));
  // Nothing is read while writing: whatever arrives waits in the buffers until the body is out.
  socket.pause();
  // Handed to the socket at once; the last callback comes once all of it is out (or the socket is gone).
  await new Promise<void>((resolve) => request.forEach((part, i) => socket.write(part, () => i === request.length - 1 && resolve())));
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
  socket.resume();
  await within(bounds, "the server closing the upload", closed);
  return { status: /^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? "none", error };
}
