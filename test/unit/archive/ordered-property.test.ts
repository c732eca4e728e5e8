import { Readable } from 'node:stream';
import {
  Binary,
  BSON,
  BSONRegExp,
  Code,
  Decimal128,
  Double,
  EJSON,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
  type Document,
} from 'bson';
import { describe, expect, it } from 'vitest';
import { createDirectoryWriter, readDirectoryDump } from '../../../src/archive/directory/index.js';
import { formatMetadataJson, parseMetadataJson } from '../../../src/archive/metadata-json.js';
import {
  decodeOrderedDocument,
  encodeOrderedDocument,
  type OrderedDocument,
} from '../../../src/archive/ordered-document.js';
import {
  parseOrderedExtendedJson,
  stringifyOrderedExtendedJson,
} from '../../../src/archive/ordered-ejson.js';
import { decodeNamespaceEntry, encodeNamespaceEntry } from '../../../src/archive/prelude.js';
import { readArchive } from '../../../src/archive/reader.js';
import type { CollectionMetadata, NamespaceEntry } from '../../../src/archive/types.js';
import { createArchiveWriter } from '../../../src/archive/writer.js';
import { collectionMetadata, type PlannedNamespace } from '../../../src/dump/catalog.js';
import { filterForNamespace } from '../../../src/dump/namespace-filter.js';
import { parseQuery } from '../../../src/dump/query.js';
import { createCommand, createIndexesCommand } from '../../../src/restore/collection-setup.js';
import { convertLegacyIndex } from '../../../src/restore/legacy-indexes.js';
import { collectEvents, tempDir } from './directory/helpers.js';
import { seededRandom } from '../../support/random.js';

/**
 * Property test: documents, filters, index specs and collection options whose keys mix letters and integer-like
 * names go through every path that reads or writes them (BSON and Extended JSON codecs, dump query, catalog,
 * metadata writer and reader, archive prelude, directory layout, restore commands for collections, views and
 * indexes) and come out byte for byte as they went in. A plain JS object anywhere on the way would move `"5"`
 * before `"z"` and fail here.
 */

const CASES = 2000;

class Generator {
  constructor(readonly random: () => number) {}

  int(below: number): number {
    return Math.floor(this.random() * below);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** Letters, integer-like names, and names that look numeric but are not array indexes. */
  key(): string {
    switch (this.int(6)) {
      case 0:
      case 1:
        return String(this.int(this.pick([10, 1000, 4294967296])));
      case 2:
        return this.pick(['01', '-1', '1.5', '1e3', ' 7', '4294967295', '9007199254740993']);
      case 3:
        return this.pick(['é', 'k"q', 'back\\slash', 'new\nline', 'tab\t', '€uro', '😀']);
      default:
        return Array.from({ length: 1 + this.int(4) }, () => this.pick([...'abcxyz_Z9'])).join('');
    }
  }

  /** A key that is never integer-like (collection option names, the first key of a command). */
  word(): string {
    return `${this.pick(['a', 'z', 'm', 'q'])}${this.int(100)}`;
  }

  document(depth: number, keys: () => string = () => this.key()): Map<string, unknown> {
    const doc = new Map<string, unknown>();
    const size = this.int(depth > 2 ? 3 : 6);
    while (doc.size < size) doc.set(keys(), this.value(depth + 1, keys));
    return doc;
  }

  value(depth: number, keys: () => string = () => this.key()): unknown {
    const kind = this.int(depth > 3 ? 14 : 18);
    switch (kind) {
      case 0:
        return new Int32(this.int(2000) - 1000);
      case 1:
        return new Double(this.pick([0.5, -2.25, 1e21, 3, -0, 1 / 3]));
      case 2:
        return Long.fromString(String(this.int(1e9) * 1e6 + this.int(1e6)));
      case 3:
        return this.pick(['', 'text', 'ü"\\', '{"5":1}', '$x']);
      case 4:
        return this.random() < 0.5;
      case 5:
        return null;
      case 6:
        return new Date(this.int(4e12) - 1e12);
      case 7:
        return ObjectId.createFromHexString(
          Array.from({ length: 24 }, () => this.pick([...'0123456789abcdef'])).join(''),
        );
      case 8: {
        const subtype = this.pick([0, 4, 5, 128]);
        // A UUID (subtype 4) is 16 bytes; Extended JSON refuses any other length.
        const length = subtype === 4 ? 16 : this.int(5);
        return new Binary(Buffer.from(Array.from({ length }, () => this.int(256))), subtype);
      }
      case 9:
        return Decimal128.fromString(this.pick(['0', '1.50', '-3E+10', '12345678901234567890']));
      case 10:
        return new Timestamp({ t: this.int(1e6), i: this.int(100) });
      case 11:
        return new BSONRegExp(this.pick(['^a', 'b.*c', '\\d']), this.pick(['', 'i', 'ms']));
      case 12:
        return this.pick([new MinKey(), new MaxKey()]);
      case 13:
        return this.random() < 0.5
          ? new Code('function () { return x; }', this.document(depth + 1, keys) as unknown as Document)
          : new Code('x + 1');
      case 14:
      case 15:
        return this.document(depth, keys);
      default:
        return Array.from({ length: this.int(4) }, () => this.value(depth + 1, keys));
    }
  }

  /** An index key: integer-like and letter fields, directions and special kinds. */
  indexKey(): Map<string, unknown> {
    const key = new Map<string, unknown>();
    const size = 1 + this.int(4);
    while (key.size < size) {
      key.set(
        this.key(),
        this.pick([new Int32(1), new Int32(-1), new Double(1), Long.fromNumber(-1), 'hashed', '2dsphere']),
      );
    }
    return key;
  }

  indexSpec(): Map<string, unknown> {
    const spec = new Map<string, unknown>([
      ['v', new Int32(2)],
      ['key', this.indexKey()],
      ['name', `${this.word()}_${this.int(1000)}`],
    ]);
    if (this.random() < 0.4) spec.set('partialFilterExpression', this.document(1));
    if (this.random() < 0.2) spec.set('collation', this.document(2));
    if (this.random() < 0.2) spec.set('weights', this.document(2));
    if (this.random() < 0.2) spec.set('wildcardProjection', this.document(2));
    if (this.random() < 0.3) spec.set('unique', true);
    return spec;
  }

  /** Collection options: real option names, with values full of user keys. */
  options(): Map<string, unknown> {
    const options = new Map<string, unknown>();
    if (this.random() < 0.5) {
      options.set('validator', new Map([['$jsonSchema', new Map([['properties', this.document(1)]])]]));
    }
    if (this.random() < 0.3) options.set('collation', this.document(2));
    if (this.random() < 0.3) options.set('viewOn', 'source');
    if (this.random() < 0.3) {
      options.set(
        'pipeline',
        Array.from({ length: 1 + this.int(3) }, () => new Map([['$match', this.document(1)]])),
      );
    }
    if (this.random() < 0.3) {
      options.set(
        'timeseries',
        new Map<string, unknown>([
          ['timeField', this.key()],
          ['metaField', this.key()],
          ['granularity', 'hours'],
        ]),
      );
    }
    if (this.random() < 0.3) options.set('storageEngine', this.document(2));
    if (this.random() < 0.3) options.set('capped', true);
    while (this.random() < 0.3) options.set(this.word(), this.value(1));
    return options;
  }

  metadata(name: string): CollectionMetadata {
    return {
      options: this.options(),
      indexes: [
        new Map<string, unknown>([
          ['v', new Int32(2)],
          ['key', new Map([['_id', new Int32(1)]])],
          ['name', '_id_'],
        ]),
        ...Array.from({ length: this.int(4) }, () => this.indexSpec()),
      ],
      uuid: Array.from({ length: 32 }, () => this.pick([...'0123456789abcdef'])).join(''),
      collectionName: name,
      type: 'collection',
    };
  }
}

/** The BSON bytes of a value as the only field of a document. */
function bytesOf(value: unknown): Buffer {
  return encodeOrderedDocument(new Map([['v', value]]));
}

function expectSameBytes(actual: unknown, expected: unknown, label: string): void {
  const a = bytesOf(actual);
  const b = bytesOf(expected);
  if (!a.equals(b)) {
    expect.fail(
      `${label}: ${stringifyOrderedExtendedJson(actual)} differs from ${stringifyOrderedExtendedJson(expected)}`,
    );
  }
}

function expectSameMetadata(
  actual: CollectionMetadata | undefined,
  expected: CollectionMetadata,
  label: string,
): void {
  expect(actual, label).toBeDefined();
  expectSameBytes(actual?.options, expected.options, `${label} options`);
  expectSameBytes(actual?.indexes, expected.indexes, `${label} indexes`);
  expect(actual?.uuid).toBe(expected.uuid);
  expect(actual?.collectionName).toBe(expected.collectionName);
}

function forEachCase(seed: number, check: (generate: Generator, n: number) => void): void {
  for (let n = 0; n < CASES; n += 1) check(new Generator(seededRandom(seed * 1_000_003 + n)), n);
}

describe('ordered BSON and Extended JSON: key order survives every path (property test)', () => {
  it(`BSON bytes -> ordered document -> BSON bytes, ${CASES} random documents`, () => {
    forEachCase(1, (generate, n) => {
      const bytes = encodeOrderedDocument(generate.document(0));
      expect(encodeOrderedDocument(decodeOrderedDocument(bytes)).equals(bytes), `case ${n}`).toBe(true);
    });
  });

  it(`ordered document -> canonical Extended JSON -> ordered document, ${CASES} random documents`, () => {
    forEachCase(2, (generate, n) => {
      const doc = generate.document(0);
      const text = stringifyOrderedExtendedJson(doc);
      expectSameBytes(parseOrderedExtendedJson(text), doc, `case ${n}`);
    });
  });

  it('writes the same canonical Extended JSON as bson for documents without integer-like keys', () => {
    forEachCase(3, (generate, n) => {
      const doc = generate.document(0, () => generate.word());
      const plain = BSON.deserialize(encodeOrderedDocument(doc), { promoteValues: false, bsonRegExp: true });
      expect(stringifyOrderedExtendedJson(doc), `case ${n}`).toBe(EJSON.stringify(plain, { relaxed: false }));
    });
  });

  it('reads relaxed and legacy Extended JSON as bson does, in order', () => {
    const parsed = parseOrderedExtendedJson(
      '{"z": 1, "5": 2.5, "b": {"9": 1, "a": 2, "1": 3}, "big": 3000000000, "d": {"$date": "2020-01-01T00:00:00Z"},' +
        ' "r": {"$regex": "^a", "$options": "i"}, "q": {"$gte": {"$numberLong": "7"}}, "ref": {"$ref": "c", "$id": 1}}',
    ) as OrderedDocument;
    expect([...parsed.keys()]).toEqual(['z', '5', 'b', 'big', 'd', 'r', 'q', 'ref']);
    expect([...(parsed.get('b') as OrderedDocument).keys()]).toEqual(['9', 'a', '1']);
    expect(parsed.get('z')).toEqual(new Int32(1));
    expect(parsed.get('5')).toEqual(new Double(2.5));
    expect(parsed.get('big')).toEqual(Long.fromNumber(3000000000));
    expect(parsed.get('d')).toEqual(new Date('2020-01-01T00:00:00Z'));
    expect(parsed.get('r')).toEqual(new BSONRegExp('^a', 'i'));
    expect((parsed.get('q') as OrderedDocument).get('$gte')).toEqual(Long.fromNumber(7));
    expect([...(parsed.get('ref') as OrderedDocument).keys()]).toEqual(['$ref', '$id']);
    for (const bad of ['{"a":', '{"a" 1}', '[1,]', '{"a":1} x', '{"a": tru}', '"open']) {
      expect(() => parseOrderedExtendedJson(bad), bad).toThrow(SyntaxError);
    }
  });

  it(`dump query text and documents reach the find command in order, ${CASES} random filters`, () => {
    forEachCase(4, (generate, n) => {
      const filter = generate.document(0);
      expectSameBytes(parseQuery(stringifyOrderedExtendedJson(filter), 'query'), filter, `case ${n} text`);
      expectSameBytes(parseQuery(filter as unknown as Document, 'query'), filter, `case ${n} Map`);
      const namespace = { type: 'collection' } as PlannedNamespace;
      expectSameBytes(filterForNamespace(namespace, filter), filter, `case ${n} collection filter`);
    });
  });

  it('the issue-9 filter keeps {"9":1,"a":2,"1":3} as written', () => {
    const filter = parseQuery('{"b": {"9": 1, "a": 2, "1": 3}}', 'query');
    expect(
      bytesOf(filter).equals(
        bytesOf(
          new Map([
            [
              'b',
              new Map<string, unknown>([
                ['9', new Int32(1)],
                ['a', new Int32(2)],
                ['1', new Int32(3)],
              ]),
            ],
          ]),
        ),
      ),
    ).toBe(true);
  });

  it(`a timeseries filter on the metadata field keeps the value's order, ${CASES} random values`, () => {
    forEachCase(5, (generate, n) => {
      const metaField = generate.word();
      const namespace = {
        db: 'd',
        collection: 'ts',
        type: 'timeseries',
        metadata: {
          options: new Map([
            [
              'timeseries',
              new Map([
                ['timeField', 't'],
                ['metaField', metaField],
              ]),
            ],
          ]),
          indexes: [],
        },
      } as unknown as PlannedNamespace;
      const value = generate.document(0);
      const rewritten = filterForNamespace(namespace, new Map([[metaField, value]]));
      expectSameBytes(rewritten, new Map([['meta', value]]), `case ${n}`);
    });
  });

  it(`catalog answers -> metadata -> metadata.json -> metadata, ${CASES} random collections`, () => {
    forEachCase(6, (generate, n) => {
      const expected = generate.metadata(`c${n}`);
      // What listCollections and listIndexes answer, as raw BSON, decoded as the dump does.
      const info = decodeOrderedDocument(
        encodeOrderedDocument(
          new Map<string, unknown>([
            ['name', `c${n}`],
            ['type', 'collection'],
            ['options', expected.options],
            ['info', new Map([['uuid', new Binary(Buffer.from(expected.uuid ?? '', 'hex'), 4)]])],
          ]),
        ),
      );
      const indexes = expected.indexes.map((spec) => decodeOrderedDocument(encodeOrderedDocument(spec)));
      const planned = collectionMetadata(`c${n}`, 'collection', info, indexes);
      expectSameMetadata(planned, expected, `case ${n} catalog`);
      const text = formatMetadataJson(planned);
      expectSameMetadata(parseMetadataJson(text), expected, `case ${n} metadata.json`);
      // The archive prelude carries the same text.
      const entry = decodeNamespaceEntry(
        encodeNamespaceEntry({
          db: 'd',
          collection: `c${n}`,
          metadataJson: text,
          size: 0,
          type: 'collection',
        }),
        0,
      );
      expect(entry.metadataJson).toBe(text);
      expectSameMetadata(entry.metadata, expected, `case ${n} prelude`);
    });
  });

  it(`restore commands send options, views and index specs in order, ${CASES} random collections`, () => {
    forEachCase(7, (generate, n) => {
      const metadata = parseMetadataJson(formatMetadataJson(generate.metadata(`c${n}`)));
      // What the driver puts on the wire: the command serialized as it is.
      const create = decodeOrderedDocument(BSON.serialize(createCommand(`c${n}`, metadata)));
      expectSameBytes(create, new Map([['create', `c${n}`], ...metadata.options]), `case ${n} create`);
      const view = decodeOrderedDocument(BSON.serialize(createCommand(`v${n}`, metadata)));
      expectSameBytes(view, new Map([['create', `v${n}`], ...metadata.options]), `case ${n} view`);
      const trimmed = decodeOrderedDocument(BSON.serialize(createCommand(`c${n}`, metadata, true)));
      expectSameBytes(
        trimmed,
        new Map([['create', `c${n}`], ...[...metadata.options].filter(([k]) => k === 'timeseries')]),
        `case ${n} noOptionsRestore`,
      );
      const { command, leftOut } = createIndexesCommand(`c${n}`, metadata, {
        convertLegacyIndexes: false,
        ignoreUnknownIndexOptions: false,
      });
      expect(leftOut).toEqual([]);
      const expectedSpecs = metadata.indexes
        .filter((spec) => spec.get('name') !== '_id_')
        .map((spec) => new Map([...spec].filter(([k]) => k !== 'v' && k !== 'ns')));
      if (expectedSpecs.length === 0) {
        expect(command).toBeUndefined();
        return;
      }
      const sent = decodeOrderedDocument(BSON.serialize(command!));
      expectSameBytes(sent.get('indexes'), expectedSpecs, `case ${n} createIndexes`);
      for (const spec of expectedSpecs) {
        const converted = convertLegacyIndex(spec);
        expect([...(converted.get('key') as OrderedDocument).keys()]).toEqual([
          ...(spec.get('key') as OrderedDocument).keys(),
        ]);
        expectSameBytes(
          converted.get('partialFilterExpression'),
          spec.get('partialFilterExpression'),
          `case ${n}`,
        );
      }
    });
  });

  it('the archive writer and reader carry random metadata in order (300 namespaces)', async () => {
    const generate = new Generator(seededRandom(8));
    const expected = Array.from({ length: 300 }, (_, n) => generate.metadata(`c${n}`));
    const writer = createArchiveWriter({
      header: { serverVersion: '7.0.14' },
      namespaces: expected.map((metadata, n) => ({ db: 'd', collection: `c${n}`, metadata })),
    });
    const bytes = Readable.from(writer.stream);
    const finished = writer.finish();
    const events = await collectEvents(readArchive(bytes));
    await finished;
    const prelude = events.find((e) => e.kind === 'prelude') as { entries: readonly NamespaceEntry[] };
    expect(prelude.entries).toHaveLength(300);
    prelude.entries.forEach((entry, n) => expectSameMetadata(entry.metadata, expected[n]!, `c${n}`));
  });

  it('the directory layout writer and reader carry random metadata in order (300 namespaces)', async () => {
    const generate = new Generator(seededRandom(9));
    const expected = Array.from({ length: 300 }, (_, n) => generate.metadata(`c${n}`));
    const dir = await tempDir();
    const writer = createDirectoryWriter({ dir, serverVersion: '7.0.14' });
    for (const [n, metadata] of expected.entries()) {
      await (await writer.namespace('d', `c${n}`, formatMetadataJson(metadata))).end();
    }
    await writer.close();
    const events = await collectEvents(readDirectoryDump(dir));
    const prelude = events.find((e) => e.kind === 'prelude') as { entries: readonly NamespaceEntry[] };
    expect(prelude.entries).toHaveLength(300);
    for (const entry of prelude.entries) {
      const n = Number(entry.collection.slice(1));
      expectSameMetadata(entry.metadata, expected[n]!, entry.collection);
    }
  });
});
