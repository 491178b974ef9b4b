/**
 * A wait in milliseconds as the whole seconds a client is told (`Retry-After`, `retryAfterSeconds`) or a replica
 * waits on: rounded up, so nobody retries before the wait is over, and at least 1, so a client never reads a zero
 * that invites an immediate retry.
 */
export function secondsToWait(milliseconds: number): number {
  return Math.max(1, Math.ceil(milliseconds / 1000));
}
