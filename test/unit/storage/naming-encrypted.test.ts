import { describe, expect, it } from 'vitest';
import { backupFileName, parseBackupName } from '../../../src/storage/naming.js';

const DATE = new Date('2026-11-21T23:10:54.123Z');

describe('encrypted backup names', () => {
  it('add .enc after the kind extension and parse back with encrypted: true', () => {
    const name = backupFileName({ database: 'shop', date: DATE, encrypted: true });
    expect(name).toBe('shop_dump_2026-11-21T23-10-54-123Z.gz.enc');
    expect(parseBackupName(name)).toEqual({
      database: 'shop',
      createdAt: DATE,
      kind: 'archive-gzip',
      encrypted: true,
    });
    expect(parseBackupName(backupFileName({ date: DATE, kind: 'tar.gz', encrypted: true }))).toMatchObject({
      kind: 'tar.gz',
      encrypted: true,
    });
    expect(parseBackupName('shop_dump_2026-11-21T23-10-54-123Z.gz')).not.toHaveProperty('encrypted');
  });

  it('a directory cannot be encrypted, and a .enc name without a kind is not a backup', () => {
    expect(() => backupFileName({ kind: 'directory', encrypted: true })).toThrow(/cannot be encrypted/);
    expect(parseBackupName('shop_dump_2026-11-21T23-10-54-123Z.enc')).toBeUndefined();
    expect(parseBackupName('shop_dump_2026-11-21T23-10-54-123Z.gz.enc.partial')).toBeUndefined();
  });
});
