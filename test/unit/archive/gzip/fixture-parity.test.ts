import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { ArchiveError, readArchive } from '../../../../src/archive/index.js';
import { createMemberGzip } from '../../../../src/archive/gzip/member-writer.js';
import { FIXTURES_DIR } from '../../../support/paths.js';
import { chunks, collect } from '../helpers.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? files(file) : [file];
  });
}

/** Accepted with a digest of every event (documents by bytes, batching aside), or rejected with an ArchiveError. */
async function verdict(bytes: Buffer, parallelGunzip: boolean): Promise<unknown> {
  const hash = createHash('sha256');
  try {
    for await (const event of readArchive(chunks(bytes, 7000), { parallelGunzip })) {
      if (event.kind === 'documents') for (const document of event.documents) hash.update(document);
      else
        hash.update(
          JSON.stringify(event, (_key, value: unknown) =>
            typeof value === 'bigint' ? String(value) : value,
          ),
        );
    }
    return { accepted: true, digest: hash.digest('hex') };
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    return { accepted: false };
  }
}

function gunzipOrUndefined(bytes: Buffer): Buffer | undefined {
  try {
    return gunzipSync(bytes);
  } catch {
    return undefined;
  }
}

test('every archive fixture: both reader paths agree, as it is and re-gzipped as small members', async () => {
  const archives = files(FIXTURES_DIR).filter(
    (f) => /\.(archive|gz)$/.test(f) && !f.includes(`${path.sep}real-dirs${path.sep}`),
  );
  expect(archives.length).toBeGreaterThan(10);
  for (const file of archives) {
    const bytes = readFileSync(file);
    expect(await verdict(bytes, true), file).toEqual(await verdict(bytes, false));
    const plain = bytes[0] === 0x1f ? gunzipOrUndefined(bytes) : bytes;
    if (plain === undefined) continue;
    const gzip = createMemberGzip({ level: 6, memberSize: 777, concurrency: 3 });
    const out = collect(gzip);
    gzip.end(plain);
    const members = await out;
    expect(await verdict(members, true), `${file} as members`).toEqual(await verdict(members, false));
    expect(await verdict(members, true), `${file} as members, against the plain bytes`).toEqual(
      await verdict(plain, false),
    );
  }
});
