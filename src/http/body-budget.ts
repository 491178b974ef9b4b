/**
 * Bytes of request bodies being received, all requests together. Each request body is capped (1 MiB), but without
 * a shared cap N slow clients pin N MiB until their request timeout: this bounds what they can pin in total.
 */
export class BodyBudget {
  private inUse = 0;

  constructor(readonly limit: number) {}

  get bytesInUse(): number {
    return this.inUse;
  }

  tryReserve(bytes: number): boolean {
    if (this.inUse + bytes > this.limit) return false;
    this.inUse += bytes;
    return true;
  }

  release(bytes: number): void {
    this.inUse -= bytes;
  }
}
