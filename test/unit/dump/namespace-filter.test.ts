import { describe, expect, it } from 'vitest';
import type { PlannedNamespace } from '../../../src/dump/catalog.js';
import { filterForNamespace } from '../../../src/dump/namespace-filter.js';
import { MongoBackupUsageError } from '../../../src/index.js';

const planned = (
  type: PlannedNamespace['type'],
  options: Record<string, unknown> = {},
): PlannedNamespace => ({
  db: 'iot',
  collection: 'readings',
  bodyCollection: type === 'timeseries' ? 'system.buckets.readings' : 'readings',
  rawData: false,
  type,
  metadata: { options, indexes: [] },
  metadataJson: '',
});

describe('filterForNamespace', () => {
  const weather = planned('timeseries', { timeseries: { timeField: 't', metaField: 'sensor' } });

  it('leaves collections and empty filters as they are', () => {
    const filter = { qty: { $gt: 1 } };
    expect(filterForNamespace(planned('collection'), filter)).toBe(filter);
    expect(filterForNamespace(weather, {})).toEqual({});
  });

  it("maps the metadata field of a timeseries filter to the buckets' meta, as mongodump does", () => {
    expect(filterForNamespace(weather, { sensor: 'a' })).toEqual({ meta: 'a' });
    expect(
      filterForNamespace(weather, { 'sensor.site': { $in: ['x', 'y'] }, sensor: { $exists: true } }),
    ).toEqual({
      'meta.site': { $in: ['x', 'y'] },
      meta: { $exists: true },
    });
  });

  it('refuses a timeseries filter on anything else, or on a collection without metadata field', () => {
    expect(() => filterForNamespace(weather, { t: { $gte: new Date(0) } })).toThrow(MongoBackupUsageError);
    expect(() => filterForNamespace(weather, { sensors: 1 })).toThrow(/only its metadata field "sensor"/);
    expect(() => filterForNamespace(weather, { $or: [{ sensor: 'a' }] })).toThrow(/found "\$or"/);
    const bare = planned('timeseries', { timeseries: { timeField: 't' } });
    expect(() => filterForNamespace(bare, { sensor: 'a' })).toThrow(/\(it has none\)/);
  });
});
