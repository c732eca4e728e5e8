import type { PlannedNamespace } from './catalog.js';

/** Where one namespace's documents go. */
export interface NamespaceSink {
  /** Accepts raw BSON documents, in order; resolves when more may be written (backpressure). */
  writeMany(documents: readonly Uint8Array[]): Promise<void>;
  /** Closes the namespace. */
  end(): Promise<void>;
}

/** Sizes of a finished output. */
export interface SinkResult {
  readonly path: string | undefined;
  readonly sizeBytes: number;
  readonly uncompressedBytes: number;
}

/** An output format: an archive stream or a directory layout. */
export interface DumpSink {
  /** Starts a namespace of the plan. Several may be open at once. */
  open(namespace: PlannedNamespace): NamespaceSink;
  /** Completes the output (namespaces never opened are written empty) and makes it visible under its final name. */
  finish(): Promise<SinkResult>;
  /** Stops writing and removes everything written so far. Never throws. */
  abort(reason: Error): Promise<void>;
}
