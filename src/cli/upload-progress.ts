/**
 * Progress of an upload to object storage: `uploaded 96 MiB` each time the store acknowledges more bytes, at most
 * once a second (and never with `--json`).
 *
 * @packageDocumentation
 */
import { formatBytes } from './format.js';
import { writeLine, type CliOutput } from './io.js';
import type { ProgressOptions, ProgressReporter } from './progress.js';

/** Lines shown at most this often, in ms. */
const UPLOAD_PROGRESS_INTERVAL_MS = 1000;

/** Reports the bytes stored so far (the `onBytesStored` callback of a dump). */
export function createUploadProgress(output: CliOutput, options: ProgressOptions): ProgressReporter<number> {
  if (!options.enabled) return { onProgress: () => undefined, finish: () => undefined };
  const now = options.now ?? Date.now;
  let shownAt = Number.NEGATIVE_INFINITY;
  return {
    onProgress: (bytes) => {
      if (now() - shownAt < UPLOAD_PROGRESS_INTERVAL_MS) return;
      shownAt = now();
      writeLine(output, `uploaded ${formatBytes(bytes)}`);
    },
    finish: () => undefined,
  };
}
