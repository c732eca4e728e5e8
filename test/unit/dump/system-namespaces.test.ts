import { describe, expect, it } from 'vitest';
import { isDumpedCollection, isDumpedWhenAll } from '../../../src/dump/system-namespaces.js';

describe("what a dump leaves out, as mongodump's rules say", () => {
  it('databases of a dump of everything: not local, not the internal ones', () => {
    expect(['shop', 'admin', 'config'].every(isDumpedWhenAll)).toBe(true);
    expect(isDumpedWhenAll('local')).toBe(false);
    expect(isDumpedWhenAll('__mdb_internal_search')).toBe(false);
  });

  it.each([
    ['shop', 'orders', false, true],
    ['shop', 'system.js', false, true],
    ['shop', 'system.profile', false, false],
    ['shop', 'system.views', false, false],
    ['shop', 'system.buckets.weather', false, false],
    ['shop', 'orders.$_id_', false, false],
    ['local', 'oplog.$main', false, false], // mongodump's "$" rule only spares names holding ".oplog.$"
    ['admin', 'system.users', false, true],
    ['admin', 'system.roles', false, true],
    ['admin', 'system.version', false, true],
    ['admin', 'system.new_users', false, true],
    ['admin', 'system.keys', false, false],
    ['admin', 'system.buckets.metrics', false, false],
    ['config', 'settings', false, true],
    ['config', 'chunks', false, true],
    ['config', 'transactions', false, false],
    ['config', 'system.sessions', false, false],
    ['config', 'transactions', true, true],
  ])('%s.%s (config named: %s) -> %s', (db, collection, configNamed, dumped) => {
    expect(isDumpedCollection(db, collection, configNamed)).toBe(dumped);
  });
});
