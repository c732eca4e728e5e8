import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FIXTURES_DIR,
  fixture,
  isThirdPartyFixture,
  THIRD_PARTY_FIXTURES,
  thirdPartyFixtureMissing,
} from '../../support/paths.js';

/** The suite needs nothing outside the repository except the third-party fixtures, which it may skip. */
describe('test fixtures: ours in test/fixtures, third-party ones from MONGO_BACKUP_FIXTURES', () => {
  const ci = process.env['CI'];
  afterEach(() => {
    if (ci === undefined) delete process.env['CI'];
    else process.env['CI'] = ci;
  });

  it('every third-party fixture is listed in test/fixtures/SOURCES.md and none is in the repository', () => {
    const sources = readFileSync(path.join(FIXTURES_DIR, 'SOURCES.md'), 'utf8');
    for (const entry of THIRD_PARTY_FIXTURES) {
      expect(sources).toContain(entry);
      expect(existsSync(path.join(FIXTURES_DIR, entry)), entry).toBe(false);
    }
  });

  it('fixture() gives paths in test/fixtures and refuses third-party ones', () => {
    expect(fixture('real-archives/test.bar.archive')).toBe(
      path.join(FIXTURES_DIR, 'real-archives', 'test.bar.archive'),
    );
    expect(existsSync(fixture('real-archives/test.bar.archive'))).toBe(true);
    expect(isThirdPartyFixture('real-dirs/youtube-sharing-gzip/resources.bson.gz')).toBe(true);
    expect(isThirdPartyFixture('real-dirs/youtube-sharing-gzip-not')).toBe(false);
    expect(() => fixture('real-archives/rnadigital_agentcloud.dump.gz')).toThrow(/thirdPartyFixture/);
  });

  it('a missing third-party fixture is a skip reason, or an error with CI=true', () => {
    const missing = 'real-archives/not-there.archive';
    delete process.env['CI'];
    expect(thirdPartyFixtureMissing(missing)).toMatch(
      /not-there\.archive not found in .*MONGO_BACKUP_FIXTURES/,
    );
    process.env['CI'] = 'true';
    expect(() => thirdPartyFixtureMissing(missing)).toThrow(/^CI=true and third-party fixture/);
  });
});
