import { describe, expect, it } from 'vitest';

import {
  booleanFlag,
  choiceFlag,
  definedOnly,
  integerFlag,
  parseFlags,
  stringFlag,
  stringsFlag,
  type FlagSpecs,
} from '../../../src/cli/args.js';
import { MongoBackupUsageError } from '../../../src/errors.js';

const FLAGS: FlagSpecs = {
  uri: { type: 'string', description: 'uri' },
  db: { type: 'string', short: 'd', multiple: true, description: 'db' },
  gzip: { type: 'boolean', negatable: true, description: 'gzip' },
  drop: { type: 'boolean', description: 'drop' },
  archive: { type: 'string', bareValue: '-', description: 'archive' },
  level: { type: 'string', description: 'level' },
  mode: { type: 'string', description: 'mode' },
};

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MongoBackupUsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('parseFlags', () => {
  it('reads --flag=value, --flag value, short aliases, repeats and positionals', () => {
    const args = parseFlags(['--uri=mongodb://h', '-d', 'a', '--db', 'b', '--drop', 'path'], FLAGS, 1);
    expect(stringFlag(args, 'uri')).toBe('mongodb://h');
    expect(stringsFlag(args, 'db')).toEqual(['a', 'b']);
    expect(booleanFlag(args, 'drop')).toBe(true);
    expect(booleanFlag(args, 'gzip')).toBeUndefined();
    expect(args.positionals).toEqual(['path']);
  });

  it('turns --no-<flag> into false', () => {
    expect(booleanFlag(parseFlags(['--no-gzip'], FLAGS, 0), 'gzip')).toBe(false);
    expect(booleanFlag(parseFlags(['--gzip'], FLAGS, 0), 'gzip')).toBe(true);
  });

  it('gives a bare --archive its bare value, but takes a following value', () => {
    expect(stringFlag(parseFlags(['--archive'], FLAGS, 0), 'archive')).toBe('-');
    expect(stringFlag(parseFlags(['--archive', '--drop'], FLAGS, 0), 'archive')).toBe('-');
    expect(stringFlag(parseFlags(['--archive', '-'], FLAGS, 0), 'archive')).toBe('-');
    expect(stringFlag(parseFlags(['--archive', 'x.gz'], FLAGS, 0), 'archive')).toBe('x.gz');
    expect(stringFlag(parseFlags(['--archive=y.gz'], FLAGS, 0), 'archive')).toBe('y.gz');
  });

  it('leaves everything after -- as positionals', () => {
    const args = parseFlags(['--', '--drop'], FLAGS, 1);
    expect(args.positionals).toEqual(['--drop']);
    expect(booleanFlag(args, 'drop')).toBeUndefined();
  });

  it('rejects unknown flags, missing values, values on booleans and extra positionals', () => {
    expect(usageMessage(() => parseFlags(['--nope'], FLAGS, 0))).toBe('unknown option --nope');
    expect(usageMessage(() => parseFlags(['-x'], FLAGS, 0))).toBe('unknown option -x');
    expect(usageMessage(() => parseFlags(['--uri'], FLAGS, 0))).toBe(
      '--uri: expected a value (--uri=<value>)',
    );
    expect(usageMessage(() => parseFlags(['--uri', '--drop'], FLAGS, 0))).toMatch(/^--uri: expected a value/);
    expect(usageMessage(() => parseFlags(['--drop=yes'], FLAGS, 0))).toBe('--drop: expected no value');
    expect(usageMessage(() => parseFlags(['a'], FLAGS, 0))).toMatch(
      /unexpected argument "a": this command takes only flags/,
    );
    expect(usageMessage(() => parseFlags(['a', 'b'], FLAGS, 1))).toMatch(
      /unexpected argument "b": expected at most 1/,
    );
  });
});

describe('typed flag accessors', () => {
  it('parses integers within bounds and names the flag otherwise', () => {
    expect(integerFlag(parseFlags(['--level=7'], FLAGS, 0), 'level', { min: 0, max: 9 })).toBe(7);
    expect(integerFlag(parseFlags([], FLAGS, 0), 'level', { min: 0, max: 9 })).toBeUndefined();
    for (const bad of ['10', '-1', 'abc', '1.5', '1e3']) {
      expect(
        usageMessage(() =>
          integerFlag(parseFlags([`--level=${bad}`], FLAGS, 0), 'level', { min: 0, max: 9 }),
        ),
      ).toBe(`--level: expected an integer from 0 to 9, got ${JSON.stringify(bad)}`);
    }
    expect(usageMessage(() => integerFlag(parseFlags(['--level=0'], FLAGS, 0), 'level', { min: 1 }))).toBe(
      '--level: expected an integer >= 1, got "0"',
    );
  });

  it('restricts choices', () => {
    const modes = ['a', 'b'] as const;
    expect(choiceFlag(parseFlags(['--mode=b'], FLAGS, 0), 'mode', modes)).toBe('b');
    expect(usageMessage(() => choiceFlag(parseFlags(['--mode=c'], FLAGS, 0), 'mode', modes))).toBe(
      '--mode: expected one of a, b, got "c"',
    );
  });

  it('rejects empty values', () => {
    expect(usageMessage(() => stringFlag(parseFlags(['--uri='], FLAGS, 0), 'uri'))).toBe(
      '--uri: expected a value, got ""',
    );
    expect(usageMessage(() => stringsFlag(parseFlags(['--db='], FLAGS, 0), 'db'))).toBe(
      '--db: expected a value, got ""',
    );
  });

  it('definedOnly drops undefined fields', () => {
    expect(definedOnly({ a: 1, b: undefined, c: false })).toEqual({ a: 1, c: false });
  });
});
