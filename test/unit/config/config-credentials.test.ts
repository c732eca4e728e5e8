import { describe, expect, it } from 'vitest';

import { resolveConfig } from '../../../src/config/index.js';
import type { ServiceConfigInput } from '../../../src/config/index.js';
import { MongoBackupConfigError } from '../../../src/errors.js';

function configErrorOf(input: Record<string, unknown>, env: Record<string, string>): MongoBackupConfigError {
  try {
    resolveConfig(input as ServiceConfigInput, env);
  } catch (error) {
    expect(error).toBeInstanceOf(MongoBackupConfigError);
    return error as MongoBackupConfigError;
  }
  throw new Error('expected resolveConfig to throw');
}

describe('resolveConfig: credentials never leak', () => {
  const password = 'Sup3r$ecret!pw';
  const encoded = encodeURIComponent(password);

  const leaks: { name: string; input: Record<string, unknown>; env?: Record<string, string> }[] = [
    {
      name: 'unknown option in the source',
      input: { sourceUri: `mongodb://admin:${encoded}@db:27017/?nope=1` },
    },
    { name: 'unescaped password', input: { sourceUri: `mongodb://admin:${password}/x@db:27017` } },
    { name: 'wrong scheme with credentials', input: { sourceUri: `https://admin:${encoded}@db:27017` } },
    { name: 'srv with port', input: { sourceUri: `mongodb+srv://admin:${encoded}@cluster0.example.net:1` } },
    { name: 'target with bad option', input: { targetUri: `mongodb://u:${encoded}@t/?x=1`, autoImport: {} } },
    {
      name: 'bad source from the environment',
      input: { sourceUri: undefined },
      env: { MONGODB_URI: `mongodb://admin:${encoded}@h/?bad=1` },
    },
    {
      name: 'source and target on the same hosts',
      input: { targetUri: `mongodb://u:${encoded}@h`, autoImport: {} },
    },
    { name: 'password in an unrelated field', input: { databases: [`mongodb://u:${encoded}@h`] } },
  ];

  it.each(leaks)('$name', ({ input, env }) => {
    const error = configErrorOf({ sourceUri: `mongodb://u:${encoded}@h`, ...input }, env ?? {});
    for (const text of [error.message, ...error.issues]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(encoded);
      expect(text).not.toContain('admin');
    }
    expect(error.issues.length).toBeGreaterThan(0);
  });

  it('shows a rejected connection string with its credentials replaced', () => {
    const error = configErrorOf({ sourceUri: `mongodb://admin:${encoded}@db:27017/?nope=1` }, {});
    expect(error.issues).toEqual([
      'sourceUri: expected a mongodb:// or mongodb+srv:// connection string (option nope is not supported), ' +
        'got "mongodb://***:***@db:27017/?nope=1"',
    ]);
  });
});
