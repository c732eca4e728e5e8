import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';

import type { CliIo, CliOutput } from '../../../src/cli/io.js';
import { runCli } from '../../../src/cli/run-cli.js';
import type { Environment } from '../../../src/config/index.js';

/** An output that remembers what was written. */
export class CapturedOutput implements CliOutput {
  readonly chunks: (string | Uint8Array)[] = [];
  isTTY: boolean;
  columns: number | undefined;

  constructor(options: { isTTY?: boolean; columns?: number } = {}) {
    this.isTTY = options.isTTY ?? false;
    this.columns = options.columns;
  }

  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk));
    return true;
  }

  /** Everything written, as text. */
  text(): string {
    return this.chunks
      .map((chunk) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')))
      .join('');
  }

  /** Everything written, as bytes. */
  bytes(): Buffer {
    return Buffer.concat(
      this.chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk))),
    );
  }
}

/** A captured run of the CLI. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The single JSON document of stdout, parsed. */
  json<T = Record<string, unknown>>(): T;
}

/** Options of {@link runCaptured}. */
export interface CaptureOptions {
  /** The environment; defaults to an empty one, so that the developer's own variables never leak into tests. */
  readonly env?: Environment;
  readonly stdin?: Readable;
  readonly signals?: EventEmitter;
  readonly stdout?: CapturedOutput;
  readonly stderr?: CapturedOutput;
  readonly now?: () => number;
}

/** Runs the CLI in-process with captured stdout/stderr and an isolated environment. */
export async function runCaptured(argv: readonly string[], options: CaptureOptions = {}): Promise<CliRun> {
  const stdout = options.stdout ?? new CapturedOutput();
  const stderr = options.stderr ?? new CapturedOutput();
  const io: CliIo = {
    stdout,
    stderr,
    env: options.env ?? {},
    ...(options.stdin ? { stdin: options.stdin } : {}),
    ...(options.signals ? { signals: options.signals } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  const code = await runCli(argv, io);
  const out = stdout.text();
  return {
    code,
    stdout: out,
    stderr: stderr.text(),
    json: <T>() => JSON.parse(out) as T,
  };
}

/** Resolves once `output` has received text matching `pattern`. */
export async function waitForOutput(
  output: CapturedOutput,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<void> {
  const started = Date.now();
  while (!pattern.test(output.text())) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`Timed out waiting for ${String(pattern)}; output so far:\n${output.text()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A signal source for tests: emit('SIGINT') to stop a command. */
export function fakeSignals(): EventEmitter {
  return new EventEmitter();
}
