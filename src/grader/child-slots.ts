/**
 * The cores a run of several exercises shares (`mlpath check --all --jobs`,
 * which `mlpath grade` runs): one slot per grader child that may run at once.
 * An exercise is admitted on one; a train exercise that runs more seed
 * children at once takes one more per child, and each of its children gives
 * its own back as soon as it has no seed left, so that the third seed of three
 * on two cores does not keep the second core idle (the next exercise starts
 * there).
 */

export interface ChildSlotPool {
  /** Resolves true once a slot is the caller's, false (holding none) if `signal` aborts first. */
  take(signal?: AbortSignal): Promise<boolean>;
  give(): void;
}

/**
 * One exercise's share of a pool: it starts with the one slot the exercise was admitted on, may take and give
 * more, may give that first one back early (a train exercise once its first seed child is done) and gives back
 * whatever it still holds when the exercise ends (`release`, which only counts what this share holds).
 */
export class SlotShare implements ChildSlotPool {
  private held = 1;

  constructor(private readonly pool: ChildSlotPool) {}

  async take(signal?: AbortSignal): Promise<boolean> {
    const ok = await this.pool.take(signal);
    if (ok) this.held++;
    return ok;
  }

  give(): void {
    if (this.held === 0) return;
    this.held--;
    this.pool.give();
  }

  release(): void {
    while (this.held > 0) this.give();
  }
}

/** First come, first served: a request waits while any earlier one waits, so exercises start in the curriculum's order. */
export class ChildSlots implements ChildSlotPool {
  private free: number;
  private readonly queue: Array<() => void> = [];

  constructor(size: number) {
    this.free = Math.max(1, Math.floor(size));
  }

  take(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (this.queue.length === 0 && this.free > 0) {
      this.free--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const go = (): void => {
        signal?.removeEventListener('abort', withdraw);
        resolve(true);
      };
      const withdraw = (): void => {
        const at = this.queue.indexOf(go);
        if (at < 0) return;
        this.queue.splice(at, 1);
        resolve(false);
      };
      signal?.addEventListener('abort', withdraw, { once: true });
      this.queue.push(go);
    });
  }

  give(): void {
    this.free++;
    while (this.queue.length > 0 && this.free > 0) {
      this.free--;
      this.queue.shift()!();
    }
  }
}
