/** A body this size or larger (declared, or grown to it) is "large"; every real operation is a few kB. */
export const SMALL_BODY_BYTES = 64 * 1024;
/** Least share of one caller: two of the largest bodies the gateway accepts (MAX_REQUEST_BODY_BYTES, 1 MiB). */
const MIN_CALLER_SHARE_BYTES = 2 * 1024 * 1024;

/**
 * Bytes of request bodies being received, all requests together. Each request body is capped (1 MiB), but without
 * a shared cap N slow clients pin N MiB until their request timeout: this bounds what they can pin in total.
 *
 * A single shared cap is itself a target, though: one client with 32 sockets each holding a 1 MiB body minus one
 * byte filled it, and every other client's POST, a 200-byte query included, was refused until the request timeout
 * cut them. So the cap is split two ways. Each caller (JWT `sub`, the router, or the client address when
 * authentication is off; unauthenticated clients are refused before their body is read and hold nothing) may hold
 * at most an eighth of it at once (at least 2 MiB, two of the largest bodies): one caller, however many sockets it
 * opens, leaves seven eighths to the others. And an eighth is kept for small bodies (under 64 KiB, where every real
 * operation is), which large bodies together can never take: even when several callers fill their shares with
 * large bodies, ordinary queries still find room (4 MiB of the 32 MiB default is a thousand or more queries in
 * transit at once). Small bodies may use the whole cap. A body is classed by its declared Content-Length, or, when
 * it has none (chunked), by its bytes so far: it turns large when it grows past 64 KiB, and is refused then if the
 * large bodies' part is full. The cost: a caller behind a shared address (auth off, behind one proxy) shares one
 * share, as it shares one CALLER_BUDGET_PER_MINUTE.
 */
export class BodyBudget {
  /** Most bytes one caller's bodies may hold together. */
  readonly callerShare: number;
  /** Bytes only small bodies may use. */
  readonly smallBodyReserve: number;
  private inUse = 0;
  private largeInUse = 0;
  private readonly byCaller = new Map<string, number>();

  constructor(readonly limit: number) {
    this.callerShare = Math.min(limit, Math.max(Math.floor(limit / 8), MIN_CALLER_SHARE_BYTES));
    this.smallBodyReserve = Math.floor(limit / 8);
  }

  get bytesInUse(): number {
    return this.inUse;
  }

  /** Bytes held by one caller's bodies in transit. */
  bytesHeldBy(caller: string): number {
    return this.byCaller.get(caller) ?? 0;
  }

  /** One body's hold on the budget, opened when its headers arrive; grow it as its bytes come, release it at the end. */
  open(caller: string): BodyReservation {
    return new BodyReservation(this, caller);
  }

  /** Moves one body's hold from `from` to `to` bytes, or refuses (changing nothing) when a bound would be passed. */
  resize(caller: string, from: number, to: number): boolean {
    const extra = to - from;
    const callerBytes = this.bytesHeldBy(caller);
    if (extra > 0) {
      if (this.inUse + extra > this.limit || callerBytes + extra > this.callerShare) return false;
    }
    const large = this.largeInUse - (from >= SMALL_BODY_BYTES ? from : 0) + (to >= SMALL_BODY_BYTES ? to : 0);
    if (large > this.largeInUse && large > this.limit - this.smallBodyReserve) return false;
    this.inUse += extra;
    this.largeInUse = large;
    if (callerBytes + extra === 0) this.byCaller.delete(caller);
    else this.byCaller.set(caller, callerBytes + extra);
    return true;
  }
}

export class BodyReservation {
  private held = 0;

  constructor(
    private readonly budget: BodyBudget,
    private readonly caller: string,
  ) {}

  get bytes(): number {
    return this.held;
  }

  /** Holds `bytes` in all for this body (more than before); false when the budget cannot take it now. */
  growTo(bytes: number): boolean {
    if (bytes <= this.held) return true;
    if (!this.budget.resize(this.caller, this.held, bytes)) return false;
    this.held = bytes;
    return true;
  }

  release(): void {
    this.budget.resize(this.caller, this.held, 0);
    this.held = 0;
  }
}
