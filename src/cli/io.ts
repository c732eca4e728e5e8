/**
 * What the CLI talks to: output streams, the environment, standard input and process signals. `main.ts` passes the
 * real process; tests pass captures.
 *
 * @packageDocumentation
 */
import type { Readable } from 'node:stream';

import type { Environment } from '../config/index.js';

/** Where the CLI writes: `process.stdout` / `process.stderr`, or a capture in tests. */
export interface CliOutput {
  /** Writes text (reports, progress) or bytes (an archive dumped to standard output). */
  write(chunk: string | Uint8Array): unknown;
  /** Whether this is a terminal: progress then updates one line in place. Defaults to `false`. */
  readonly isTTY?: boolean | undefined;
  /** Width of the terminal, to keep the progress line on one row. */
  readonly columns?: number | undefined;
}

/** The signals the CLI reacts to. */
export type CliSignal = 'SIGINT' | 'SIGTERM';

/** Something that emits `SIGINT` and `SIGTERM`: `process`, or an `EventEmitter` in tests. */
export interface SignalSource {
  once(event: CliSignal, listener: () => void): unknown;
  off(event: CliSignal, listener: () => void): unknown;
}

/**
 * Everything {@link runCli} reads and writes besides files and servers.
 *
 * @example
 * ```ts
 * import { runCli } from './run-cli.js';
 * const code = await runCli(['list', '--json'], { stdout: process.stdout, stderr: process.stderr, env: process.env });
 * ```
 */
export interface CliIo {
  /** Reports and `--json` documents. */
  readonly stdout: CliOutput;
  /** Progress, logs and errors. */
  readonly stderr: CliOutput;
  /** Configuration variables (`MONGODB_URI`, `MONGO_BACKUP_*`, `MONGO_BACKUP_DEBUG`). */
  readonly env: Environment;
  /** Read by `restore --archive` (no value or `-`) and `inspect -`. Defaults to `process.stdin`. */
  readonly stdin?: Readable;
  /** Source of `SIGINT`/`SIGTERM`. Defaults to `process`. */
  readonly signals?: SignalSource;
  /** Clock in milliseconds, for progress throttling. Defaults to `Date.now`. */
  readonly now?: () => number;
}

/** Writes one line. */
export function writeLine(output: CliOutput, line = ''): void {
  output.write(`${line}\n`);
}

/** Writes several lines. */
export function writeLines(output: CliOutput, lines: readonly string[]): void {
  if (lines.length > 0) output.write(`${lines.join('\n')}\n`);
}

/** Whether stack traces are wanted (`MONGO_BACKUP_DEBUG=1`). */
export function isDebug(io: CliIo): boolean {
  return io.env['MONGO_BACKUP_DEBUG'] === '1';
}

/**
 * Calls `listener` on the first `SIGINT` or `SIGTERM` only; a later signal gets the process's default behaviour
 * again (termination), unless another listener is registered. Returns a function that unregisters.
 */
export function onceOnSignal(io: CliIo, listener: (signal: CliSignal) => void): () => void {
  const source: SignalSource = io.signals ?? process;
  let done = false;
  const handlers = new Map<CliSignal, () => void>();
  const dispose = (): void => {
    for (const [signal, handler] of handlers) source.off(signal, handler);
    handlers.clear();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const handler = (): void => {
      if (done) return;
      done = true;
      dispose();
      listener(signal);
    };
    handlers.set(signal, handler);
    source.once(signal, handler);
  }
  return dispose;
}
