import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  collectionFileStem,
  dumpFileName,
  isHashedFileStem,
  parseDumpFileName,
  queryEscape,
  queryUnescape,
} from '../../../../src/archive/directory/file-names.js';
import { fixture } from '../../../support/paths.js';

describe('queryEscape / queryUnescape (Go url.QueryEscape rules)', () => {
  it.each([
    ['plain', 'plain'],
    ['AZaz09-_.~', 'AZaz09-_.~'],
    ['a b', 'a+b'],
    ['cafés', 'caf%C3%A9s'],
    ['$admin.system.users', '%24admin.system.users'],
    ['a/b\\c', 'a%2Fb%5Cc'],
    ["+%*!'()", '%2B%25%2A%21%27%28%29'],
    ['&=?#:;@,', '%26%3D%3F%23%3A%3B%40%2C'],
    ['😀', '%F0%9F%98%80'],
    ['\u0001\n', '%01%0A'],
  ])('%j <-> %j', (raw, escaped) => {
    expect(queryEscape(raw)).toBe(escaped);
    expect(queryUnescape(escaped)).toBe(raw);
  });

  it('accepts lowercase hex and raw non-ASCII when unescaping', () => {
    expect(queryUnescape('caf%c3%a9s')).toBe('cafés');
    expect(queryUnescape('café')).toBe('café');
  });

  it.each([['100%'], ['%zz'], ['%4'], ['%FF'], ['%C3']])('refuses %j', (text) => {
    expect(queryUnescape(text)).toBeUndefined();
  });
});

describe('collectionFileStem', () => {
  it('matches the hashed file name mongodump gave a 247-character collection (real-dirs/longcollectionname)', async () => {
    const name =
      'a' + 'Very'.repeat(44) + 'LongCollectionNameConsistingOfExactlyTwoHundredAndFortySevenCharacters';
    const files = await readdir(fixture('real-dirs/longcollectionname/db1'));
    const stem = collectionFileStem(name);
    expect(stem).toHaveLength(238);
    expect(files.sort()).toEqual([`${stem}.bson`, `${stem}.metadata.json`]);
    expect(isHashedFileStem(stem)).toBe(true);
  });

  it('matches the escaped file name of a non-ASCII collection (real-dirs/specialcharacter)', async () => {
    const files = await readdir(fixture('real-dirs/specialcharacter/db1'));
    expect(files.sort()).toEqual([
      `${collectionFileStem('cafés')}.bson`,
      `${collectionFileStem('cafés')}.metadata.json`,
    ]);
  });

  it('names the users, roles and auth-version files of a one-database dump unescaped, as mongodump does', () => {
    expect(collectionFileStem('$admin.system.users')).toBe('$admin.system.users');
    expect(collectionFileStem('$admin.system.roles')).toBe('$admin.system.roles');
    expect(collectionFileStem('$admin.system.version')).toBe('$admin.system.version');
    expect(collectionFileStem('$other')).toBe('%24other');
  });

  it('keeps an escaped name of exactly 238 characters', () => {
    const name = 'abcdefghijklmnopq'.repeat(14);
    expect(collectionFileStem(name)).toBe(name);
    expect(isHashedFileStem(name)).toBe(false);
  });

  it('hashes past 238: 208 characters of the escaped name, %24, base64url SHA-1 of the raw name', () => {
    const name = 'abcdefghijklmnopqrstuvwxyz'.repeat(10);
    const hash = createHash('sha1').update(name).digest('base64url');
    expect(hash).toHaveLength(27);
    expect(collectionFileStem(name)).toBe(`${name.slice(0, 208)}%24${hash}`);
  });

  it('counts the escaped length: a 232-character name with special characters is hashed', () => {
    const name = 'abcdefghijklmnopqrstuvwxyz+/@'.repeat(8);
    expect(name).toHaveLength(232);
    const stem = collectionFileStem(name);
    expect(stem.slice(0, 211)).toBe(`${queryEscape(name).slice(0, 208)}%24`);
    expect(Buffer.from(stem.slice(211), 'base64url').equals(createHash('sha1').update(name).digest())).toBe(
      true,
    );
  });

  it('may cut through a %XX escape, so such a stem cannot be unescaped', () => {
    const stem = collectionFileStem(`${'a'.repeat(207)}é${'b'.repeat(40)}`);
    expect(stem.slice(0, 208)).toBe(`${'a'.repeat(207)}%`);
    expect(isHashedFileStem(stem)).toBe(true);
    expect(queryUnescape(stem)).toBeUndefined();
  });
});

describe('parseDumpFileName / dumpFileName', () => {
  it.each([
    ['c.bson', { kind: 'bson', stem: 'c', gzip: false }],
    ['c.bson.gz', { kind: 'bson', stem: 'c', gzip: true }],
    ['c.metadata.json', { kind: 'metadata', stem: 'c', gzip: false }],
    ['c.metadata.json.gz', { kind: 'metadata', stem: 'c', gzip: true }],
    ['system.buckets.w.bson', { kind: 'bson', stem: 'system.buckets.w', gzip: false }],
    ['old.bin', { kind: 'bson', stem: 'old', gzip: false }],
  ] as const)('%s', (name, parsed) => {
    expect(parseDumpFileName(name)).toEqual(parsed);
    if (!name.endsWith('.bin')) expect(dumpFileName(parsed.stem, parsed.kind, parsed.gzip)).toBe(name);
  });

  it.each([['prelude.json'], ['notes.txt'], ['.bson'], ['c.json'], ['c.gz']])('ignores %s', (name) => {
    expect(parseDumpFileName(name)).toBeUndefined();
  });
});
