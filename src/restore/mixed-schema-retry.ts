import type { InsertOutcome } from './raw-insert.js';

/** How {@link insertRetryingMixedSchema} talks to the server. */
export interface MixedSchemaRetry {
  /** Sends one insert command of these documents. */
  readonly send: (documents: readonly Buffer[]) => Promise<InsertOutcome>;
  /** Lets the timeseries collection take mixed-schema buckets (`collMod timeseriesBucketsMayHaveMixedSchemaData`). */
  readonly allowMixedSchema: () => Promise<void>;
  /** Whether the insert is ordered (it then stops at the first refused bucket). */
  readonly ordered: boolean;
}

/**
 * Inserts timeseries buckets; those the target refuses as mixed-schema (error 408) are sent once more after
 * allowing mixed-schema buckets, as mongorestore does. The outcome counts each document once: a refused bucket that
 * goes in on the second try is inserted, not failed.
 */
export async function insertRetryingMixedSchema(
  documents: readonly Buffer[],
  retry: MixedSchemaRetry,
): Promise<InsertOutcome> {
  const first = await retry.send(documents);
  const refused = first.mixedSchemaRefused;
  if (refused.length === 0) return first;
  await retry.allowMixedSchema();
  // An ordered insert stops at the refused bucket: everything from there on is sent again.
  const again = retry.ordered
    ? documents.slice(refused[0])
    : refused.map((index) => documents[index] as Buffer);
  const second = await retry.send(again);
  const otherFailures = first.failures - refused.length;
  return {
    inserted: first.inserted + second.inserted,
    duplicates: first.duplicates + second.duplicates,
    failures: otherFailures + second.failures,
    firstError: (otherFailures > 0 ? first.firstError : undefined) ?? second.firstError,
    mixedSchemaRefused: second.mixedSchemaRefused,
  };
}
