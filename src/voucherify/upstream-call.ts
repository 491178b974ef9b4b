import { Expiring } from "../lib/fixed-delay-expiry.js";

/**
 * One upstream call in progress, as the things that may end it early see it: its time budget (the transport's
 * FixedDelayExpiry) and its operation (OperationScope, at the operation's deadline). A plain object with one listener
 * slot, not an AbortController: an EventTarget and its listeners per call cost measurable CPU at thousands of calls a
 * second, and a call has one thing to stop at a time (the exchange in flight, or the wait before a retry).
 */
export class UpstreamCall extends Expiring {
  private stopCurrent: ((reason: unknown) => void) | null = null;
  aborted = false;
  /** Why it was aborted (the budget spent, the operation over); set with `aborted`. */
  reason: unknown = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const stop = this.stopCurrent;
    this.stopCurrent = null;
    stop?.(reason);
  }

  /** What to stop when the call is aborted from now on (null: nothing); an aborted call's is called at once. */
  onAbort(stop: ((reason: unknown) => void) | null): void {
    if (stop !== null && this.aborted) stop(this.reason);
    else this.stopCurrent = stop;
  }

  /** Waits `ms` unless the call is aborted first (then rejects with the reason, as an Error). */
  pause(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onAbort(null);
        resolve();
      }, ms);
      this.onAbort((reason) => {
        clearTimeout(timer);
        reject(abortError(reason));
      });
    });
  }
}

/** Our own aborts pass a frozen `{name}` (no stack trace made per call); callers of `exchange` get an Error. */
export function abortError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String((reason as { name?: unknown } | null)?.name ?? reason));
}
