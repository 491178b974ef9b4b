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

export function write(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve())));
}
