import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBsonFile, readDirectoryDump } from '../../../../src/archive/directory/index.js';
import type { ArchiveEvent } from '../../../../src/archive/types.js';
import { ArchiveError, ErrorCode, MongoBackupConfigError } from '../../../../src/errors.js';
import { anyFixture, fixture } from '../../../support/paths.js';
import { collectEvents, eventsUntilError } from './helpers.js';

/** The events of one namespace (prelude entry, documents, end) out of a whole stream. */
function namespaceEvents(events: readonly ArchiveEvent[], db: string, collection: string): unknown[] {
  return events.flatMap((event): unknown[] => {
    if (event.kind === 'header') return [event];
    if (event.kind === 'prelude') {
      return [
        { kind: 'prelude', entries: event.entries.filter((e) => e.db === db && e.collection === collection) },
      ];
    }
    return event.db === db && event.collection === collection ? [event] : [];
  });
}

describe('readBsonFile: one collection file as a dump of one namespace', () => {
  it.for([
    ['real-dirs/foodump/test', 'foo.bson', 'foo'],
    ['real-dirs/specialcharacter/db1', 'caf%C3%A9s.bson', 'cafés'],
    ['real-dirs/prelude_test/prelude_gzip/test', 'foo.bson.gz', 'foo'],
    ['real-dirs/youtube-sharing-gzip', 'resources.bson.gz', 'resources'],
  ] as const)(
    '%s/%s reads as the same events as the directory reader gives that collection',
    async ([dir, file, name], ctx) => {
      const root = anyFixture(ctx, dir);
      const fromFile = await collectEvents(readBsonFile(path.join(root, file), { db: 'x' }));
      const fromDir = await collectEvents(readDirectoryDump(root, { db: 'x' }));
      expect(fromFile).toEqual(namespaceEvents(fromDir, 'x', name));
      const end = fromFile.at(-1);
      expect(end?.kind).toBe('namespace-end');
      expect(end && end.kind === 'namespace-end' ? end.documents : 0).toBeGreaterThan(0);
    },
  );

  it('takes another collection name when given, keeping the metadata', async () => {
    const events = await collectEvents(
      readBsonFile(fixture('real-dirs/foodump/test/foo.bson'), { db: 'shop', collection: 'bar' }),
    );
    const prelude = events.find((event) => event.kind === 'prelude');
    expect(
      prelude?.kind === 'prelude'
        ? prelude.entries.map((e) => [e.db, e.collection, e.metadata !== undefined])
        : [],
    ).toEqual([['shop', 'bar', true]]);
    expect(
      events
        .filter((e) => e.kind === 'documents')
        .every((e) => e.kind === 'documents' && e.collection === 'bar'),
    ).toBe(true);
  });

  it('refuses a file that is not a collection file, and malformed options', async () => {
    const { error } = await eventsUntilError(
      readBsonFile(fixture('real-dirs/foodump/test/foo.metadata.json'), { db: 'x' }),
    );
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).code).toBe(ErrorCode.DIRECTORY_DUMP_INVALID);
    expect(() => readBsonFile(fixture('real-dirs/foodump/test/foo.bson'), { db: '' })).toThrow(
      MongoBackupConfigError,
    );
  });
});
