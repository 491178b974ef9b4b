/**
 * What a start has opened so far, closed in the reverse order: by a normal stop, and by a start that fails halfway
 * (a port in use after Redis, the upstream pool and Apollo are up), so a failed start leaves nothing running.
 * Every disposer runs even when an earlier one fails; the first failure is rethrown once all have run.
 */
export class Disposers {
  private readonly stack: Array<() => unknown> = [];

  /** Registers what closes a part, as soon as that part is open. */
  add(dispose: () => unknown): void {
    this.stack.push(dispose);
  }

  async disposeAll(): Promise<void> {
    let failure: { error: unknown } | null = null;
    for (let dispose = this.stack.pop(); dispose; dispose = this.stack.pop()) {
      try {
        await dispose();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
