import { AbortError } from '../errors.js';

/** Throws an {@link AbortError} when the signal has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortError(`${what} was aborted`, { cause: signal.reason });
}
