import { describe, expect, it } from 'vitest';

import {
  backupFileName,
  BACKUP_EXTENSIONS,
  formatBackupTimestamp,
  parseBackupName,
} from '../../../src/storage/index.js';
import type { BackupKind } from '../../../src/storage/index.js';
import { ErrorCode, MongoBackupUsageError } from '../../../src/errors.js';

const DATE = new Date('2026-11-21T23:10:54.123Z');

describe('backup names', () => {
  it('formats the documented default name', () => {
    expect(formatBackupTimestamp(DATE)).toBe('2026-11-21T23-10-54-123Z');
    expect(backupFileName({ database: 'shop', date: DATE })).toBe('shop_dump_2026-11-21T23-10-54-123Z.gz');
    expect(backupFileName({ date: DATE })).toBe('all_dump_2026-11-21T23-10-54-123Z.gz');
    expect(backupFileName({ database: undefined, date: DATE, kind: 'archive' })).toBe(
      'all_dump_2026-11-21T23-10-54-123Z.archive',
    );
    expect(backupFileName({ database: 'shop', date: DATE, kind: 'tar.gz' })).toBe(
      'shop_dump_2026-11-21T23-10-54-123Z.tar.gz',
    );
    expect(backupFileName({ database: 'shop', date: DATE, kind: 'directory' })).toBe(
      'shop_dump_2026-11-21T23-10-54-123Z',
    );
  });

  it('defaults to now', () => {
    const before = Date.now();
    const parsed = parseBackupName(backupFileName({ database: 'shop' }));
    expect(parsed?.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(parsed?.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  const kinds = Object.keys(BACKUP_EXTENSIONS) as BackupKind[];
  it.each(kinds)('round-trips the %s kind', (kind) => {
    for (const database of ['shop', 'my_dump_db', 'données', undefined]) {
      const name = backupFileName({ database, date: DATE, kind });
      expect(parseBackupName(name)).toEqual({ database, createdAt: DATE, kind });
    }
  });

  it('rejects names it did not write', () => {
    for (const name of [
      'shop_dump_2026-11-21T23-10-54-123Z.gz.partial',
      'shop_dump_2026-11-21T23-10-54-123Z.zip',
      'shop_dump_2026-11-21T23:10:54.123Z.gz',
      'shop_dump_2026-02-30T23-10-54-123Z.gz',
      'shop_dump_2026-11-21T25-10-54-123Z.gz',
      '_dump_2026-11-21T23-10-54-123Z.gz',
      'a.b_dump_2026-11-21T23-10-54-123Z.gz',
      'shop-2026-11-21.gz',
      'notes.txt',
      '.DS_Store',
    ]) {
      expect(parseBackupName(name), name).toBeUndefined();
    }
  });

  it('refuses database names that are invalid or could escape the folder', () => {
    for (const database of ['', '../etc', 'a/b', 'a.b', 'a\0b', 'x'.repeat(64)]) {
      expect(() => backupFileName({ database, date: DATE })).toThrow(MongoBackupUsageError);
    }
    try {
      backupFileName({ database: '../etc' });
    } catch (error) {
      expect((error as MongoBackupUsageError).code).toBe(ErrorCode.INVALID_OPTIONS);
      expect((error as Error).message).toContain('"../etc"');
    }
    expect(() => backupFileName({ database: 'shop', date: new Date(Number.NaN) })).toThrow(/valid date/);
  });
});
