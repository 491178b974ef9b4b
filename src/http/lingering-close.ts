import type { IncomingMessage, ServerResponse } from "node:http";
import { MIB } from "../lib/byte-size.js";
import { releaseNow } from "../lib/release-buffer.js";

/** How long, and how much, the gateway reads of a body it has already refused before closing the connection. */
export interface LingeringLimits {
  /** Body bytes read and dropped per connection, at most; a body declaring more is not waited for at all. */
  maxBytes: number;
  /** Time per connection, at most, from the answer on. */
  maxMs: number;
  /** Time without a byte from the client after which it is taken to be done sending. */
  idleMs: number;
  /** Connections lingering at once, at most; past it a refused connection is closed at once, as before. */
  maxConnections: number;
}

/**
 * As web servers do (Apache: 30 s total, 2 s without data; nginx: 30 s, 5 s), shorter: long enough for a client on a
 * slow link to see its answer, short against the 10 s drain and the 30 s request timeout. 64 MiB covers an accidental
 * upload of a photo or a video; more is cut as before. 16 connections at once cover honest refusals; under a flood
 * of refused bodies they cap the work spent reading for nothing (test/security/body-flood.test.ts's 400 refused
 * sockets took 13 s with 64 at once, 7-9 s with 16, on this 2-core machine kind).
 */
export const DEFAULT_LINGERING_LIMITS: LingeringLimits = { maxBytes: 64 * MIB, maxMs: 5_000, idleMs: 2_000, maxConnections: 16 };

/**
 * Closing a connection while the client is still sending makes the kernel answer the unread bytes with a reset, and a
 * reset can discard the answer before the client reads it (RFC 9112, 9.6): a refusal sent before the body has
 * arrived (401 from the headers, 413, 503) then reads as a network error. So, after such an answer, the rest of the
 * body is read and dropped (never kept: the request stream flows into nothing, and nothing counts against the body
 * budget) until it ends, and only then is the answer ended and the connection closed. Bounded per connection (bytes,
 * time, silence) and in connections at once; past a bound the connection is closed as it would have been without
 * this. The drain on shutdown (drain.ts) closes lingering connections with every other at its deadline.
 */
export class LingeringClose {
  private lingering = 0;

  constructor(private readonly limits: LingeringLimits = DEFAULT_LINGERING_LIMITS) {}

  /** Connections reading the rest of a refused body right now. */
  get connections(): number {
    return this.lingering;
  }

  /**
   * Ends `response`, whose answer is written (with `connection: close`), once the rest of `request`'s body has been
   * read and dropped, or at once when waiting would pass a bound.
   */
  endAfterBody(request: IncomingMessage, response: ServerResponse): void {
    const declared = Number(request.headers["content-length"] ?? 0);
    if (request.complete || this.lingering >= this.limits.maxConnections || !(declared <= this.limits.maxBytes)) {
      response.end();
      return;
    }
    this.lingering++;
    let dropped = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.lingering--;
      clearTimeout(total);
      clearTimeout(idle);
      request.removeListener("data", onData);
      request.removeListener("end", finish);
      request.removeListener("close", finish);
      response.removeListener("close", finish);
      // With the body read, Node closes the connection after this answer; past a bound, with the rest unread.
      response.end();
    };
    const onData = (chunk: Buffer) => {
      dropped += chunk.length;
      releaseNow(chunk);
      if (dropped > this.limits.maxBytes) finish();
      else idle.refresh();
    };
    const total = setTimeout(finish, this.limits.maxMs);
    const idle = setTimeout(finish, this.limits.idleMs);
    request.on("data", onData);
    request.once("end", finish);
    request.once("close", finish);
    response.once("close", finish);
    request.resume();
  }
}
