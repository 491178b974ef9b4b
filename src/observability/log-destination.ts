import type { Writable } from "node:stream";

/** LOG_MAX_BUFFERED_BYTES's default: about ten thousand operation lines waiting for a slow reader. */
export const DEFAULT_LOG_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * Where the log lines go (pino's destination): stdout, through Node's own stream for it. Logging must never take the
 * gateway down, so:
 *
 * - Nothing waits for the reader. Lines logged in one event-loop turn are written together in one write (under load
 *   a line costs no write of its own), and on a pipe or a socket Node writes without blocking: what the reader has
 *   not taken yet waits in memory. (pino's own asynchronous destination, sonic-boom, writes from libuv's thread pool:
 *   with a reader that stopped, those writes held the pool's threads and the flush at exit waited forever, a
 *   second SIGTERM included.)
 * - Memory is bounded: past `maxBufferedBytes` waiting, a line is dropped and counted (`dropped`, the
 *   gateway_log_lines_dropped_total metric); once the reader has taken everything, `onResumed` is told how many
 *   were dropped meanwhile (logger.ts logs a line saying so). A reader that went away (EPIPE) drops every line.
 * - Stopping is bounded: flushWithin() waits for the lines handed over, at most the time it is given.
 *
 * A file or a terminal is written synchronously by Node (a file does not stall; a terminal is a person's).
 */
export class LogDestination {
  /** Lines dropped so far. */
  dropped = 0;
  /** Told, once the reader has taken everything waiting, how many lines were dropped since it was last told. */
  onResumed: ((dropped: number) => void) | null = null;
  private droppedUnreported = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  private broken = false;
  /** Writes handed to the stream whose callback has not come yet, and who waits for there to be none. */
  private unfinished = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly out: Writable,
    /** Output waiting for the reader, at most (LOG_MAX_BUFFERED_BYTES). */
    public maxBufferedBytes: number = DEFAULT_LOG_MAX_BUFFERED_BYTES,
  ) {
    // EPIPE and the like: nobody will ever read again. Without a listener the error would end the process.
    out.on("error", () => {
      this.broken = true;
      this.settleIdle();
    });
  }

  /** pino calls this with each line (JSON and a newline). */
  write(line: string): void {
    if (this.broken || this.out.writableLength + this.pendingBytes + line.length > this.maxBufferedBytes) {
      this.dropped += 1;
      this.droppedUnreported += 1;
      return;
    }
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.writePending);
    }
  }

  /**
   * Writes what is pending now, then resolves once the reader has taken every line handed over, or after
   * `timeoutMs` (a reader that does not read), whichever comes first. For the last lines before the process exits.
   */
  flushWithin(timeoutMs: number): Promise<void> {
    this.writePending();
    if (this.unfinished === 0 || this.broken) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private readonly writePending = (): void => {
    this.scheduled = false;
    if (this.pending.length === 0 || this.broken) return;
    const text = this.pending.length === 1 ? this.pending[0] : this.pending.join("");
    this.pending = [];
    this.pendingBytes = 0;
    this.unfinished += 1;
    this.out.write(text, this.written);
  };

  private readonly written = (error?: Error | null): void => {
    this.unfinished -= 1;
    if (!error && this.droppedUnreported > 0 && this.out.writableLength === 0) {
      const dropped = this.droppedUnreported;
      this.droppedUnreported = 0;
      this.onResumed?.(dropped);
    }
    if (this.unfinished === 0) this.settleIdle();
  };

  private settleIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
