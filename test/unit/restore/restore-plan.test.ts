import { describe, expect, it } from 'vitest';
import type { ArchiveHeader, NamespaceEntry } from '../../../src/archive/types.js';
import { createNamespaceRenamer, createNamespaceSelector } from '../../../src/namespaces/index.js';
import { MongoBackupUsageError } from '../../../src/errors.js';
import {
  assertRestorable,
  destinationConflicts,
  planRestore,
  usersAndRolesWarning,
} from '../../../src/restore/restore-plan.js';

const header = (serverVersion: string): ArchiveHeader => ({
  concurrentCollections: 4,
  version: '0.1',
  serverVersion,
  toolVersion: 'test',
});
const entry = (
  db: string,
  collection: string,
  type: NamespaceEntry['type'] = 'collection',
): NamespaceEntry => ({
  db,
  collection,
  metadataJson: '',
  metadata: undefined,
  size: 0,
  type,
});

describe('planRestore', () => {
  const entries = [
    entry('shop', 'orders'),
    entry('shop', 'weather', 'timeseries'),
    entry('shop', 'top_orders', 'view'),
    entry('shop', 'system.js'),
    entry('shop', 'system.profile'),
    entry('admin', 'system.users'),
    entry('shop', '$admin.system.users'),
    entry('', 'oplog', ''),
    entry('logs', 'app'),
  ];

  it('selects on the source name, renames the selected, and says why the rest are skipped', () => {
    const plan = planRestore(
      header('7.0.14'),
      entries,
      createNamespaceSelector({ exclude: ['logs.*'] }),
      createNamespaceRenamer([{ from: 'shop.*', to: 'shop_copy.*' }]),
    );
    const byName = Object.fromEntries(plan.map((p) => [p.source, p]));
    expect(byName['shop.orders']).toMatchObject({ target: 'shop_copy.orders', skipReason: undefined });
    expect(byName['shop.system.js']?.skipReason).toBeUndefined();
    expect(byName['shop.system.profile']?.skipReason).toBe('system collection');
    expect(byName['admin.system.users']?.skipReason).toBe(
      'users and roles are restored only with usersAndRoles',
    );
    expect(byName['shop.$admin.system.users']?.skipReason).toBe(
      'users and roles are restored only with usersAndRoles',
    );
    expect(byName['.oplog']?.skipReason).toBe('oplog replay is not supported');
    // Left out users and roles are never silent: the report carries a warning naming them.
    expect(usersAndRolesWarning(plan)).toBe(
      'users and roles NOT restored: admin.system.users, shop.$admin.system.users (mongorestore restores them by ' +
        'default on a full restore; pass usersAndRoles: true / --restoreDbUsersAndRoles)',
    );
    const asked = planRestore(
      header('7.0.14'),
      entries.filter((e) => e.db !== 'admin'),
      createNamespaceSelector({}),
      createNamespaceRenamer([]),
      { usersAndRoles: true, targetVersion: undefined },
    );
    expect(usersAndRolesWarning(asked)).toBeUndefined();
    expect(byName['logs.app']).toMatchObject({
      target: 'logs.app',
      skipReason: 'excluded by nsInclude/nsExclude',
    });
  });

  it('timeseries: the source version says where the buckets are read, the target version where they go', () => {
    const rename = createNamespaceRenamer([{ from: 'shop.*', to: 'copy.*' }]);
    const weather = (source: string, target?: { major: number; minor: number }) =>
      planRestore(header(source), entries, createNamespaceSelector(), rename, {
        usersAndRoles: false,
        targetVersion: target,
      }).find((p) => p.source === 'shop.weather');
    // A 7.0 dump into a 7.0 target (or an unknown one, in a dry run): system.buckets on both sides.
    for (const target of [{ major: 7, minor: 0 }, undefined]) {
      expect(weather('7.0.14', target)).toMatchObject({
        sourceBody: 'shop.system.buckets.weather',
        targetBodyCollection: 'system.buckets.weather',
        rawData: false,
      });
    }
    // An 8.3 dump (buckets under the collection's own name) into a 7.0 target.
    expect(weather('8.3.0', { major: 7, minor: 0 })).toMatchObject({
      sourceBody: 'shop.weather',
      targetBodyCollection: 'system.buckets.weather',
      rawData: false,
    });
    // Any dump into an 8.3+ target: the collection itself, through rawData.
    expect(weather('7.0.14', { major: 8, minor: 3 })).toMatchObject({
      sourceBody: 'shop.system.buckets.weather',
      targetBodyCollection: 'weather',
      rawData: true,
    });
    // An archive without a parseable version predates viewless timeseries.
    expect(weather('unknown', { major: 9, minor: 0 })?.sourceBody).toBe('shop.system.buckets.weather');
    // Only timeseries collections use rawData.
    const orders = planRestore(header('8.3.0'), entries, createNamespaceSelector(), rename, {
      usersAndRoles: false,
      targetVersion: { major: 8, minor: 3 },
    }).find((p) => p.source === 'shop.orders');
    expect(orders).toMatchObject({ targetBodyCollection: 'orders', rawData: false });
  });

  it('splits dotted targets at the first dot', () => {
    const [plan] = planRestore(
      header('6.0.1'),
      [entry('a', 'b.c')],
      createNamespaceSelector(),
      createNamespaceRenamer([{ from: '$db$.$coll$', to: '$coll$.$db$' }]),
    );
    expect(plan).toMatchObject({ target: 'b.c.a', targetDb: 'b', targetCollection: 'c.a' });
  });

  it('with usersAndRoles: stages users and roles in admin.temp*, unrenamed, and only reads the auth version', () => {
    const auth = [
      entry('shop', 'orders'),
      entry('shop', '$admin.system.users', ''),
      entry('shop', '$admin.system.roles', ''),
      entry('shop', '$admin.system.version', ''),
    ];
    const plan = planRestore(
      header('7.0.14'),
      auth,
      createNamespaceSelector(),
      createNamespaceRenamer([{ from: 'shop.*', to: 'copy.*' }]),
      { usersAndRoles: true },
    );
    const byName = Object.fromEntries(plan.map((p) => [p.source, p]));
    expect(byName['shop.orders']).toMatchObject({ target: 'copy.orders' });
    expect(byName['shop.$admin.system.users']).toMatchObject({
      target: 'admin.system.users',
      targetDb: 'admin',
      targetBodyCollection: 'tempusers',
      skipReason: undefined,
      auth: { kind: 'users', scope: 'shop' },
    });
    expect(byName['shop.$admin.system.roles']).toMatchObject({
      targetBodyCollection: 'temproles',
      auth: { kind: 'roles', scope: 'shop' },
    });
    expect(byName['shop.$admin.system.version']?.skipReason).toMatch(/auth schema version: read/);
    expect(byName['shop.$admin.system.version']?.auth).toEqual({ kind: 'version', scope: 'shop' });
  });

  it('with usersAndRoles: a full dump merges every database (scope ""), and selection still applies', () => {
    const full = [
      entry('admin', 'system.users'),
      entry('admin', 'system.roles'),
      entry('admin', 'system.version'),
    ];
    const all = planRestore(header('6.0.1'), full, createNamespaceSelector(), createNamespaceRenamer([]), {
      usersAndRoles: true,
    });
    expect(all.map((p) => p.auth)).toEqual([
      { kind: 'users', scope: '' },
      { kind: 'roles', scope: '' },
      { kind: 'version', scope: '' },
    ]);
    const excluded = planRestore(
      header('6.0.1'),
      full,
      createNamespaceSelector({ exclude: ['admin.system.roles'] }),
      createNamespaceRenamer([]),
      { usersAndRoles: true },
    );
    expect(excluded[1]?.skipReason).toBe('excluded by nsInclude/nsExclude');
    expect(excluded[0]?.skipReason).toBeUndefined();
  });

  it('finds the targets several restored sources are renamed onto, and only those', () => {
    const plan = planRestore(
      header('7.0.14'),
      [
        entry('a', 'x'),
        entry('b', 'x'),
        entry('b', 'y'),
        entry('c', 'x'),
        entry('shop', '$admin.system.users', ''),
      ],
      createNamespaceSelector({ exclude: ['c.*'] }),
      createNamespaceRenamer([
        { from: '$db$.x', to: 'all.x' },
        { from: 'c.*', to: 'all.*' },
      ]),
      { usersAndRoles: true },
    );
    expect(destinationConflicts(plan)).toEqual([{ target: 'all.x', sources: ['a.x', 'b.x'] }]);
    expect(destinationConflicts(plan.filter((p) => p.source !== 'b.x'))).toEqual([]);
  });

  it('refuses, before writing, conflicts and usersAndRoles a backup cannot satisfy', () => {
    const plan = (
      entries: NamespaceEntry[],
      usersAndRoles: boolean,
      pairs: { from: string; to: string }[] = [],
    ) =>
      planRestore(header('7.0.14'), entries, createNamespaceSelector(), createNamespaceRenamer(pairs), {
        usersAndRoles,
      });
    const twoOntoOne = plan([entry('a', 'x'), entry('b', 'x')], false, [{ from: '$db$.x', to: 'c.x' }]);
    expect(() => assertRestorable(twoOntoOne, false)).toThrow(/a\.x and b\.x -> c\.x/);
    expect(() => assertRestorable(plan([entry('a', 'x')], true), true)).toThrow(/holds no users or roles/);
    const mixed = plan([entry('shop', '$admin.system.users', ''), entry('admin', 'system.users')], true);
    expect(() => assertRestorable(mixed, true)).toThrow(MongoBackupUsageError);
    expect(() => assertRestorable(mixed, true)).toThrow(/different databases/);
    expect(() =>
      assertRestorable(plan([entry('shop', '$admin.system.users', '')], true), true),
    ).not.toThrow();
    expect(() => assertRestorable(mixed, false)).not.toThrow();
  });
});
