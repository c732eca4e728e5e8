import { describe, expect, it } from 'vitest';
import type { PlannedNamespace } from '../../../src/dump/catalog.js';
import { filterForNamespace } from '../../../src/dump/namespace-filter.js';
import { MongoBackupUsageError } from '../../../src/index.js';
import { ordered, plainOf } from '../../support/ordered.js';

const planned = (
  type: PlannedNamespace['type'],
  options: Record<string, unknown> = {},
): PlannedNamespace => ({
  db: 'iot',
  collection: 'readings',
  bodyCollection: type === 'timeseries' ? 'system.buckets.readings' : 'readings',
  rawData: false,
  type,
  metadata: { options: ordered(options), indexes: [] },
  metadataJson: '',
});

describe('filterForNamespace', () => {
  const weather = planned('timeseries', { timeseries: { timeField: 't', metaField: 'sensor' } });

  it('leaves collections and empty filters as they are', () => {
    const filter = ordered({ qty: { $gt: 1 } });
    expect(filterForNamespace(planned('collection'), filter)).toBe(filter);
    expect(plainOf(filterForNamespace(weather, new Map()))).toEqual({});
  });

  it("maps the metadata field of a timeseries filter to the buckets' meta, as mongodump does", () => {
    expect(plainOf(filterForNamespace(weather, ordered({ sensor: 'a' })))).toEqual({ meta: 'a' });
    expect(
      plainOf(
        filterForNamespace(
          weather,
          ordered({ 'sensor.site': { $in: ['x', 'y'] }, sensor: { $exists: true } }),
        ),
      ),
    ).toEqual({
      'meta.site': { $in: ['x', 'y'] },
      meta: { $exists: true },
    });
  });

  it('refuses a timeseries filter on anything else, or on a collection without metadata field', () => {
    expect(() => filterForNamespace(weather, ordered({ t: { $gte: new Date(0) } }))).toThrow(
      MongoBackupUsageError,
    );
    expect(() => filterForNamespace(weather, ordered({ sensors: 1 }))).toThrow(
      /only its metadata field "sensor"/,
    );
    expect(() => filterForNamespace(weather, ordered({ $or: [{ sensor: 'a' }] }))).toThrow(/found "\$or"/);
    const bare = planned('timeseries', { timeseries: { timeField: 't' } });
    expect(() => filterForNamespace(bare, ordered({ sensor: 'a' }))).toThrow(/\(it has none\)/);
  });
});
