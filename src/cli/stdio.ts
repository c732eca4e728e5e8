/**
 * Archives through standard input and output: `dump --archive` writes to stdout, `restore --archive` and
 * `inspect -` read stdin.
 *
 * @packageDocumentation
 */
import { once } from 'node:events';
import { Writable, type Readable } from 'node:stream';

import type { CliOutput } from './io.js';

/**
 * A Writable that forwards bytes to `output` (standard output, or a test capture), waiting for `drain` when
 * `output` is a stream that asks for it. Ending it never ends `output`: standard output stays usable for the
 * report and is closed by the process.
 */
export function binaryWritable(output: CliOutput): Writable {
  const stream = output instanceof Writable ? output : undefined;
  return new Writable({
    write(chunk: Buffer, _encoding, callback): void {
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
        (error: unknown) => callback(error as Error),
      );
    },
  });
}

/** The Readable that `-` stands for. */
export function standardInput(stdin: Readable | undefined): Readable {
  return stdin ?? process.stdin;
}
