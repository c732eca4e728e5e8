import {
  Binary,
  BSONRegExp,
  BSONSymbol,
  Code,
  DBRef,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
  UUID,
} from 'bson';

/** One value per BSON type (and the subtypes that matter), to prove type fidelity end to end. */
export interface BsonSample {
  /** Field name and test title. */
  name: string;
  value: unknown;
  /**
   * Why FerretDB cannot store this value faithfully (from FerretDB's documented differences), or undefined when
   * it can. On a real mongod every sample runs.
   */
  ferretdbLacks?: string;
}

/** Samples of every BSON type the driver can write. */
export const BSON_SAMPLES: readonly BsonSample[] = [
  { name: 'double', value: new Double(1.5) },
  { name: 'double-integral', value: new Double(42) },
  { name: 'double-negative-zero', value: new Double(-0), ferretdbLacks: 'FerretDB stores -0 as 0' },
  { name: 'double-nan', value: new Double(NaN), ferretdbLacks: 'FerretDB does not store NaN' },
  { name: 'double-infinity', value: new Double(Infinity), ferretdbLacks: 'FerretDB does not store Infinity' },
  { name: 'string', value: 'héllo wörld ✓ 𝄞' },
  { name: 'string-empty', value: '' },
  { name: 'document', value: { a: 1, b: { c: 'd', e: [1, 2] } } },
  { name: 'array', value: [1, 'two', new Double(3), { four: 4 }] },
  { name: 'array-nested', value: [[1, 2], [3]], ferretdbLacks: 'FerretDB does not support nested arrays' },
  { name: 'binary-generic', value: new Binary(Buffer.from([0, 1, 2, 255]), 0) },
  { name: 'binary-function', value: new Binary(Buffer.from('fn'), 1) },
  { name: 'binary-uuid', value: new UUID('0123456789abcdef0123456789abcdef').toBinary() },
  { name: 'binary-md5', value: new Binary(Buffer.alloc(16, 7), 5) },
  { name: 'binary-user', value: new Binary(Buffer.from('custom'), 0x80) },
  { name: 'objectid', value: new ObjectId('65f1c0ffee0123456789abcd') },
  { name: 'boolean-true', value: true },
  { name: 'boolean-false', value: false },
  { name: 'date', value: new Date('2024-02-29T12:34:56.789Z') },
  { name: 'date-before-epoch', value: new Date('1901-01-01T00:00:00.000Z') },
  { name: 'null', value: null },
  { name: 'regex', value: new BSONRegExp('^ab+c$', 'imsx') },
  {
    name: 'dbref',
    value: new DBRef('other', new ObjectId('65f1c0ffee0123456789abce'), 'db2'),
    ferretdbLacks: 'FerretDB rejects field names starting with $ (DBRef uses $ref, $id, $db)',
  },
  {
    name: 'javascript',
    value: new Code('function () { return 1; }'),
    ferretdbLacks: 'FerretDB has no JavaScript type',
  },
  {
    name: 'javascript-with-scope',
    value: new Code('function () { return x; }', { x: 1 }),
    ferretdbLacks: 'FerretDB has no JavaScript type',
  },
  { name: 'symbol', value: new BSONSymbol('sym'), ferretdbLacks: 'FerretDB has no Symbol type' },
  { name: 'int32', value: new Int32(-123456) },
  { name: 'timestamp', value: new Timestamp({ t: 1700000000, i: 7 }) },
  { name: 'int64', value: Long.fromString('9007199254740993') },
  {
    name: 'decimal128',
    value: Decimal128.fromString('1234.5678901234567890'),
    ferretdbLacks: 'FerretDB has no Decimal128',
  },
  { name: 'minkey', value: new MinKey(), ferretdbLacks: 'FerretDB has no MinKey' },
  { name: 'maxkey', value: new MaxKey(), ferretdbLacks: 'FerretDB has no MaxKey' },
];
