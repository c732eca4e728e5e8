/**
 * One long operation at a time: backups, imports and deletions do not overlap within one app.
 */
import { HttpError } from './http-error.js';

/** The operation that holds the lock. */
export interface RunningOperation {
  readonly operation: string;
  readonly startedAt: Date;
}

/** A non-queuing lock: a second caller is refused with 409 rather than made to wait. */
export class OperationLock {
  #running: RunningOperation | undefined;

  /** The operation in progress, if any. */
  get running(): RunningOperation | undefined {
    return this.#running;
  }

  /**
   * Runs `task` while holding the lock.
   *
   * @throws {@link HttpError} 409 `OPERATION_IN_PROGRESS` when another operation holds it.
   */
  async run<T>(operation: string, task: () => Promise<T>): Promise<T> {
    const running = this.#running;
    if (running !== undefined) {
      throw new HttpError(
        409,
        'OPERATION_IN_PROGRESS',
        `Another operation (${running.operation}, started ${running.startedAt.toISOString()}) is running; ` +
          'try again when it has finished',
      );
    }
    this.#running = { operation, startedAt: new Date() };
    try {
      return await task();
    } finally {
      this.#running = undefined;
    }
  }
}
