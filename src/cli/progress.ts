/**
 * Progress on standard error. On a terminal: one aggregate line (documents, documents per second, namespaces in
 * progress) rewritten in place with `\r`, at most 10 times a second. Elsewhere (a log file, a pipe): one line per
 * namespace as it completes.
 *
 * @packageDocumentation
 */
import type { DumpProgress } from '../dump/types.js';
import type { RestoreProgress } from '../restore/types.js';
import type { CliOutput } from './io.js';

/** Options of {@link createDumpProgress} and {@link createRestoreProgress}. */
export interface ProgressOptions {
  /** `false` for `--json`: nothing is written. */
  readonly enabled: boolean;
  /** Clock in milliseconds. Defaults to `Date.now`. */
  readonly now?: (() => number) | undefined;
  /** Minimum time between two renderings of the terminal line. Defaults to {@link PROGRESS_INTERVAL_MS}. */
  readonly intervalMs?: number;
}

/** Minimum milliseconds between two updates of the terminal line: at most 10 updates a second. */
export const PROGRESS_INTERVAL_MS = 100;

/** Receives progress events; `finish()` clears the terminal line before the report is printed. */
export interface ProgressReporter<E> {
  readonly onProgress: (event: E) => void;
  finish(): void;
}

interface Running {
  readonly label: string;
  documents: number;
  readonly total: number;
}

/**
 * Tracks namespaces and renders them. One instance per command run.
 *
 * @internal
 */
export class ProgressView {
  readonly #output: CliOutput;
  readonly #now: () => number;
  readonly #interval: number;
  readonly #verb: { readonly doing: string; readonly done: string };
  readonly #running = new Map<string, Running>();
  #completedDocuments = 0;
  #startedAt: number | undefined;
  #lastRender = Number.NEGATIVE_INFINITY;
  #lineShown = false;

  constructor(output: CliOutput, verb: { doing: string; done: string }, options: ProgressOptions) {
    this.#output = output;
    this.#now = options.now ?? Date.now;
    this.#interval = options.intervalMs ?? PROGRESS_INTERVAL_MS;
    this.#verb = verb;
  }

  /** Records an event for `key` (a namespace) and renders when due. */
  update(
    key: string,
    label: string,
    phase: 'start' | 'progress' | 'end',
    documents: number,
    total = 0,
  ): void {
    this.#startedAt ??= this.#now();
    if (phase === 'end') {
      this.#running.delete(key);
      this.#completedDocuments += documents;
      if (this.#output.isTTY !== true)
        this.#output.write(`${this.#verb.done} ${label}: ${documents} documents\n`);
    } else {
      const entry = this.#running.get(key);
      if (entry === undefined) this.#running.set(key, { label, documents, total });
      else entry.documents = documents;
    }
    if (this.#output.isTTY === true) this.#renderIfDue();
  }

  /** Clears the terminal line, if one was drawn. */
  finish(): void {
    if (this.#lineShown) this.#output.write('\r\x1b[K');
    this.#lineShown = false;
  }

  #renderIfDue(): void {
    const now = this.#now();
    if (now - this.#lastRender < this.#interval) return;
    this.#lastRender = now;
    this.#output.write(`\r\x1b[K${this.line(now)}`);
    this.#lineShown = true;
  }

  /** The aggregate line, cut to the terminal width. */
  line(now: number = this.#now()): string {
    let documents = this.#completedDocuments;
    for (const entry of this.#running.values()) documents += entry.documents;
    const seconds = Math.max((now - (this.#startedAt ?? now)) / 1000, 0.001);
    const rate = Math.round(documents / seconds);
    const running = [...this.#running.values()].map((entry) =>
      entry.total > 0
        ? `${entry.label} ${entry.documents}/${entry.total}`
        : `${entry.label} ${entry.documents}`,
    );
    const text =
      `${this.#verb.doing}: ${documents} documents, ${rate} docs/s` +
      (running.length > 0 ? ` | ${running.join(', ')}` : '');
    const width = this.#output.columns;
    return width !== undefined && width > 1 && text.length > width - 1
      ? `${text.slice(0, width - 2)}…`
      : text;
  }
}

/**
 * Progress of a dump: `dumping: 12000 documents, 4000 docs/s | shop.orders 8000/20000` on a terminal, or
 * `dumped shop.orders: 20000 documents` per namespace elsewhere.
 */
export function createDumpProgress(
  output: CliOutput,
  options: ProgressOptions,
): ProgressReporter<DumpProgress> {
  if (!options.enabled) return { onProgress: () => undefined, finish: () => undefined };
  const view = new ProgressView(output, { doing: 'dumping', done: 'dumped' }, options);
  return {
    onProgress: (event) =>
      view.update(event.namespace, event.namespace, event.phase, event.documents, event.estimatedTotal),
    finish: () => view.finish(),
  };
}

/**
 * Progress of a restore: `restoring: ...` on a terminal, or `restored shop.orders → copy.orders: 20000 documents`
 * per namespace elsewhere.
 */
export function createRestoreProgress(
  output: CliOutput,
  options: ProgressOptions,
): ProgressReporter<RestoreProgress> {
  if (!options.enabled) return { onProgress: () => undefined, finish: () => undefined };
  const view = new ProgressView(output, { doing: 'restoring', done: 'restored' }, options);
  return {
    onProgress: (event) => {
      const label = event.source === event.target ? event.target : `${event.source} → ${event.target}`;
      view.update(event.target, label, event.phase, event.documents);
    },
    finish: () => view.finish(),
  };
}
