import { describe, expect, it } from 'vitest';
import {
  acceptsIgnoreUnknownIndexOptions,
  acceptsLiteralZeroTimestamp,
} from '../../../src/restore/server-features.js';

describe('target server features', () => {
  it.each([
    ['8.0.0', true],
    ['8.2.1', true],
    ['7.0.13', true],
    ['7.0.12', false],
    ['7.1.0', false],
    ['6.0.17', true],
    ['6.0.16', false],
    ['5.0.29', true],
    ['5.0.28', false],
    ['4.4.30', false],
    ['7.0.14-rc1', true],
  ])('bypassEmptyTsReplacement on MongoDB %s: %s', (version, expected) => {
    expect(acceptsLiteralZeroTimestamp({ version })).toBe(expected);
  });

  it('FerretDB accepts (and ignores) bypassEmptyTsReplacement, but not ignoreUnknownIndexOptions', () => {
    expect(acceptsLiteralZeroTimestamp({ version: '7.0.42', ferretdbVersion: 'v1.24.2' })).toBe(true);
    expect(acceptsIgnoreUnknownIndexOptions({ version: '7.0.42', ferretdbVersion: 'v1.24.2' })).toBe(false);
  });

  it.each([
    ['4.1.9', true],
    ['4.1.8', false],
    ['4.2.0', true],
    ['4.0.28', false],
    ['3.6.23', false],
    ['8.0.4', true],
  ])('ignoreUnknownIndexOptions on MongoDB %s: %s', (version, expected) => {
    expect(acceptsIgnoreUnknownIndexOptions({ version })).toBe(expected);
  });
});
