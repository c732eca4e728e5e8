/**
 * How many namespaces an archive body interleaves at once. mongorestore restores at most
 * max(`-j`, `concurrent_collections`) namespaces at a time and waits, forever, for the next block of each: a body
 * with more namespaces in progress than the header announces hangs it. The writer lets a namespace in only while
 * fewer than the announced number are in progress.
 *
 * @internal
 * @packageDocumentation
 */

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Admits at most `limit` namespaces in progress; the others wait, in order, for one to end. */
export class NamespaceGate {
  #inProgress = 0;
  readonly #waiting: Waiter[] = [];
  #error: unknown;
  #failed = false;

  constructor(readonly limit: number) {}

  /** Takes a place: `undefined` when one is free now, else a promise that resolves once one is (or rejects). */
  enter(): Promise<void> | undefined {
    if (this.#failed) return Promise.reject(this.#error);
    if (this.#inProgress < this.limit) {
      this.#inProgress += 1;
      return undefined;
    }
    return new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Gives a place back, to the first waiter if any. */
  leave(): void {
    const next = this.#waiting.shift();
    if (next) next.resolve();
    else this.#inProgress -= 1;
  }

  /** Rejects every waiter, now and later (the writer was aborted or its stream failed). */
  fail(error: unknown): void {
    this.#failed = true;
    this.#error = error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }
}
