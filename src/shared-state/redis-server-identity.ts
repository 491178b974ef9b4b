import type { Redis } from "ioredis";

/**
 * Which Redis server the client is connected to right now: its run_id, learned after every (re)connection and
 * forgotten the moment the connection closes.
 *
 * Why the cache needs it: replication is asynchronous, so when Sentinel promotes a replica, the generation bumps of
 * the last writes the old master acknowledged may never have reached it, while the entries cached before those
 * writes did. Cache keys therefore carry the identity of the server they were written on, and lookups only address
 * entries of the server that answers them: after a failover (or a restart), every entry from before is unreachable
 * and the cache starts cold, so no invalidation lost on the way can bring back a page cached before a write. A
 * server's own entries stay trustworthy because every invalidation since they were stored went to that server, or
 * failed and is replayed there before the cache is used again (RedisCacheStore).
 *
 * A lookup never carries one server's identity to another: commands are never resent after a reconnection
 * (autoResendUnfulfilledCommands is off), a closed connection clears the identity (ioredis reports the close before
 * it reconnects), and a lookup goes out within one turn of the event loop (the automatic pipeline's setImmediate),
 * while a reconnection takes a timer of at least 100 ms and a handshake.
 */
export class RedisServerIdentity {
  private runId: string | null = null;
  /** The last server known, kept across disconnections to tell a reconnection from a switch. */
  private lastRunId: string | null = null;
  /** Counts connections, so an answer from a connection that has closed since is not taken for the new one's. */
  private connection = 0;

  constructor(
    private readonly client: Redis,
    onError: (error: unknown) => void,
    /** Told when the client finds a server other than the last one (a failover, a restart): the cache starts cold. */
    private readonly onNewServer: (previous: string, current: string) => void = () => {},
  ) {
    client.on("close", () => {
      this.runId = null;
      this.connection++;
    });
    client.on("ready", () => void this.learn().catch(onError));
  }

  /** Short form of the server's run_id; null while unknown (lookups then read as misses). */
  get current(): string | null {
    return this.runId;
  }

  /** Asks the connected server who it is (after a connection, or when the health probe finds Redis back). */
  async learn(): Promise<void> {
    const connection = this.connection;
    const info = await this.client.info("server");
    const runId = /^run_id:([0-9a-f]{16,})/m.exec(info)?.[1];
    if (!runId) throw new Error("Redis INFO server named no run_id");
    // 64 bits of a random 160-bit id: unique among the servers one deployment ever sees.
    if (connection !== this.connection) return;
    this.runId = runId.slice(0, 16);
    if (this.lastRunId !== null && this.lastRunId !== this.runId) this.onNewServer(this.lastRunId, this.runId);
    this.lastRunId = this.runId;
  }
}
