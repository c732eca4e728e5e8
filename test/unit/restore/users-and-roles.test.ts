import { BSON } from 'bson';
import { describe, expect, it } from 'vitest';
import {
  authKindOf,
  authVersionConflict,
  backupAuthVersion,
  mergeScope,
} from '../../../src/restore/users-and-roles.js';

const raw = (document: Record<string, unknown>): Buffer => Buffer.from(BSON.serialize(document));

describe('users and roles in a backup', () => {
  it('recognises the per-database and the admin forms, and nothing else', () => {
    expect(authKindOf('shop', '$admin.system.users')).toBe('users');
    expect(authKindOf('shop', '$admin.system.roles')).toBe('roles');
    expect(authKindOf('shop', '$admin.system.version')).toBe('version');
    expect(authKindOf('admin', 'system.users')).toBe('users');
    expect(authKindOf('admin', 'system.version')).toBe('version');
    expect(authKindOf('shop', 'system.users')).toBeUndefined();
    expect(authKindOf('admin', 'system.keys')).toBeUndefined();
    expect(authKindOf('admin', 'users')).toBeUndefined();
    expect(authKindOf('shop', '$admin.system.other')).toBeUndefined();
  });

  it('merges one database for a one-database dump, every database ("") for admin', () => {
    expect(mergeScope('shop', '$admin.system.users')).toBe('shop');
    expect(mergeScope('admin', 'system.users')).toBe('');
    expect(mergeScope('admin', '$admin.system.users')).toBe('');
  });

  it("reads the backup's auth schema version as mongorestore does", () => {
    const version = [
      raw({ _id: 'featureCompatibilityVersion', version: '7.0' }),
      raw({ _id: 'authSchema', currentVersion: 5 }),
    ];
    expect(backupAuthVersion({ major: 7, minor: 0 }, version, 'shop')).toBe(5);
    expect(backupAuthVersion({ major: 8, minor: 1 }, undefined, 'shop')).toBe(5);
    expect(backupAuthVersion({ major: 7, minor: 0 }, undefined, 'shop')).toBe(3);
    expect(backupAuthVersion({ major: 7, minor: 0 }, undefined, '')).toBe(1);
    expect(backupAuthVersion({ major: 7, minor: 0 }, [raw({ _id: 'x' })], 'shop')).toMatch(/no authSchema/);
    expect(
      backupAuthVersion({ major: 7, minor: 0 }, [raw({ _id: 'authSchema', currentVersion: 'v' })], ''),
    ).toMatch(/non-integer/);
  });

  it("applies mongorestore's table of compatible auth schema versions", () => {
    for (const [backup, server] of [
      [3, 5],
      [5, 5],
      [3, 3],
      [1, 1],
      [1, 3],
    ] as const) {
      expect(authVersionConflict(backup, server)).toBeUndefined();
    }
    expect(authVersionConflict(1, 5)).toMatch(/auth schema version 1 cannot be restored into .* 5/);
    expect(authVersionConflict(5, 3)).toMatch(/cannot be restored/);
    expect(authVersionConflict(3, 1)).toMatch(/cannot be restored/);
    expect(authVersionConflict(2, 5)).toMatch(/unfinished upgrade/);
    expect(authVersionConflict(5, 4)).toMatch(/unfinished upgrade/);
    expect(authVersionConflict('no authSchema document in the backup', 5)).toMatch(/cannot read/);
  });
});
