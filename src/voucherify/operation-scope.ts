import { Expiring } from "../lib/fixed-delay-expiry.js";

/** Abort reason, preallocated: an Error per call would build a stack trace per call. */
const OPERATION_OVER = Object.freeze({ name: "OperationOver" });

/** What an operation can stop: an upstream call in progress (upstream-call.ts). */
export interface Abortable {
  abort(reason: unknown): void;
}

/**
 * One GraphQL operation's claim on the upstream. Once the operation is over, its reads stop spending the rate
 * limit: no new call goes out, and at the deadline the ones in flight are aborted too. Plain fields and a Set, not
 * an AbortSignal per call: EventTarget listeners cost measurable CPU at thousands of calls a second. The deadline
 * itself is kept by the one FixedDelayExpiry of every operation (request-context/context-factory.ts).
 */
export class OperationScope extends Expiring {
  private over = false;
  private readonly inFlight = new Set<Abortable>();

  get isOver(): boolean {
    return this.over;
  }

  /** The client went away: no new calls. Calls in flight finish, so their keep-alive sockets stay reusable. */
  abandon(): void {
    this.over = true;
  }

  /** The deadline passed: no new calls, and those in flight end now so the operation can answer. */
  expire(): void {
    this.over = true;
    for (const call of this.inFlight) call.abort(OPERATION_OVER);
    this.inFlight.clear();
  }

  track(call: Abortable): void {
    this.inFlight.add(call);
  }

  untrack(call: Abortable): void {
    this.inFlight.delete(call);
  }
}
