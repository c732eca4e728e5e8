/**
 * Archives through standard input and output: `dump --archive` writes to stdout, `restore --archive` and
 * `inspect -` read stdin.
 *
 * @packageDocumentation
 */
import { once } from 'node:events';
import { Writable, type Readable } from 'node:stream';

import { ErrorCode, MongoBackupRuntimeError } from '../errors.js';
import type { CliOutput } from './io.js';

/** Whether `error` says that the reader of an output went away (`| head`). */
export function isClosedOutputError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/** The error of an output whose reader went away before everything was written. */
export function closedOutputError(name: string, cause?: unknown): MongoBackupRuntimeError {
  return new MongoBackupRuntimeError(
    ErrorCode.OUTPUT_FAILED,
    `${name} was closed before everything was written (is a reader such as ` +
      '`head` stopping early?); the output is incomplete',
    cause === undefined ? {} : { cause },
  );
}

/**
 * A Writable that forwards bytes to `output` (standard output, or a test capture), waiting for `drain` when
 * `output` is a stream that asks for it. Ending it never ends `output`: standard output stays usable for the
 * report and is closed by the process.
 */
export function binaryWritable(output: CliOutput): Writable {
  const stream = output instanceof Writable ? output : undefined;
  let failed: Error | undefined;
  const fail = (error: unknown): void => {
    failed ??= isClosedOutputError(error)
      ? closedOutputError('standard output', error)
      : error instanceof Error
        ? error
        : new Error(String(error));
    writable.destroy(failed);
  };
  const writable = new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      if (failed !== undefined || stream?.destroyed === true) {
        callback(failed ?? closedOutputError('standard output'));
        return;
      }
      let accepted: unknown;
      try {
        accepted = output.write(chunk);
      } catch (error) {
        callback(error as Error);
        return;
      }
      if (accepted !== false || stream === undefined) {
        callback();
        return;
      }
      once(stream, 'drain').then(
        () => callback(),
        (error: unknown) =>
          callback(
            isClosedOutputError(error) ? closedOutputError('standard output', error) : (error as Error),
          ),
      );
    },
    destroy(error, callback): void {
      stream?.off('error', fail);
      callback(error);
    },
    final(callback): void {
      stream?.off('error', fail);
      callback(failed ?? null);
    },
  });
  // A reader that goes away shows as an error of `output`, often after write() accepted the chunk.
  stream?.on('error', fail);
  return writable;
}

/** The Readable that `-` stands for. */
export function standardInput(stdin: Readable | undefined): Readable {
  return stdin ?? process.stdin;
}
