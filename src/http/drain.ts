import type { Server, ServerResponse } from "node:http";

/**
 * Graceful shutdown of one HTTP listener (`track` every request it receives): stop accepting, let requests in
 * flight answer (bounded by a grace period), and meanwhile tell keep-alive clients to reconnect elsewhere by
 * closing each socket once its answer is out.
 */
export class HttpDrain {
  /** Set once draining starts. */
  private server: Server | null = null;
  private readonly inFlight = new Set<ServerResponse>();

  /** Called first for every request the listener receives. */
  track(response: ServerResponse): void {
    this.inFlight.add(response);
    response.once("close", () => this.inFlight.delete(response));
    if (this.server) this.closeAfterAnswer(response, this.server);
  }

  /** Resolves once the listener is closed: every answer sent, or cut when `graceMs` has passed. */
  async drain(server: Server, graceMs: number): Promise<void> {
    this.server = server;
    this.inFlight.forEach((response) => this.closeAfterAnswer(response, server));
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Idle keep-alive sockets would hold close() open; busy ones finish their request first.
    server.closeIdleConnections();
    const grace = setTimeout(() => server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(grace);
  }

  private closeAfterAnswer(response: ServerResponse, server: Server): void {
    if (!response.headersSent) response.setHeader("connection", "close");
    response.once("finish", () => server.closeIdleConnections());
  }
}
