import type { Server } from "node:http";

/**
 * Starts listening on host:port (port 0: any free one) and says where: the port taken and the base URL, with an IPv6
 * host in brackets. A listen error (address in use) rejects, and leaves no listener behind on the server.
 */
export async function listen(server: Server, port: number, host: string): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  // A TCP listener's address is an object (a string is a pipe's or a Unix socket's path).
  if (address === null || typeof address === "string") throw new Error(`listen: ${String(address)} is not a TCP address`);
  const taken = address.port;
  return { port: taken, url: `http://${host.includes(":") ? `[${host}]` : host}:${taken}` };
}
