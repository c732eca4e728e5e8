/**
 * The checksum manifest of a directory dump: `mongo-backup-manifest.json` at its root lists every file of the dump
 * with its size and SHA-256, so that damage inside a document (which BSON framing cannot see) is found before a
 * restore writes anything. mongorestore skips unknown files at the root of a dump ("don't know what to do with
 * file ..., skipping"), so dumps with a manifest stay restorable by it.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';

import { ArchiveError, ErrorCode } from '../../errors.js';
import { fileError } from './dump-file.js';
import { DUMP_FILE_MODE, EXCLUSIVE_WRITE_FLAGS } from './file-sink.js';

/** The name of the manifest, at the root of a directory dump. */
export const MANIFEST_FILE_NAME = 'mongo-backup-manifest.json';

/** One file of a manifest. */
interface ManifestFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** What {@link checkDumpManifest} found. */
export interface ManifestCheck {
  /** Whether the dump has a manifest (dumps of mongodump and of older releases have none). */
  readonly present: boolean;
  /** Files whose size and SHA-256 matched. */
  readonly verifiedFiles: number;
  /** Files of the dump the manifest does not list (e.g. older files kept in a reused `--out` folder). */
  readonly unlisted: readonly string[];
}

/**
 * Writes `<dir>/mongo-backup-manifest.json` for every regular file under `dir` (created new, mode 0o600).
 *
 * @returns the size of the manifest in bytes.
 * @throws {@link ArchiveError} `DIRECTORY_DUMP_INVALID` when a file cannot be read or the manifest written.
 */
export async function writeDumpManifest(dir: string): Promise<number> {
  const files: ManifestFile[] = [];
  for (const relative of await dumpFiles(dir)) {
    const { bytes, sha256 } = await hashFile(path.join(dir, relative));
    files.push({ path: relative, bytes, sha256 });
  }
  const text = `${JSON.stringify({ tool: 'mongo-backup-service', version: 1, algorithm: 'sha256', files }, null, 1)}\n`;
  const file = path.join(dir, MANIFEST_FILE_NAME);
  try {
    const handle = await open(file, EXCLUSIVE_WRITE_FLAGS, DUMP_FILE_MODE);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw fileError(file, error);
  }
  return Buffer.byteLength(text);
}

/**
 * Checks a directory dump against its manifest: every listed file must exist with the listed size and SHA-256.
 * A dump without a manifest is reported as such (`present: false`), not refused.
 *
 * @throws {@link ArchiveError} `ARCHIVE_CRC_MISMATCH` for a missing, resized or changed file (naming it),
 *   `ARCHIVE_CORRUPT` for a manifest that cannot be parsed.
 */
export async function checkDumpManifest(dir: string): Promise<ManifestCheck> {
  const manifestPath = path.join(dir, MANIFEST_FILE_NAME);
  let text: string;
  try {
    const handle = await open(manifestPath, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    try {
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { present: false, verifiedFiles: 0, unlisted: [] };
    }
    throw fileError(manifestPath, error);
  }
  const listed = parseManifest(text, manifestPath);
  const listedPaths = new Set(listed.map((file) => file.path));
  for (const expected of listed) {
    const file = path.join(dir, ...expected.path.split('/'));
    const actual = await hashFile(file).catch((error: unknown) => {
      throw new ArchiveError(
        ErrorCode.ARCHIVE_CRC_MISMATCH,
        `${file} is listed in ${MANIFEST_FILE_NAME} but cannot be read: ${(error as Error).message}`,
        { cause: error },
      );
    });
    if (actual.bytes !== expected.bytes || actual.sha256 !== expected.sha256) {
      throw new ArchiveError(
        ErrorCode.ARCHIVE_CRC_MISMATCH,
        `${file} does not match ${MANIFEST_FILE_NAME}: expected ${expected.bytes} bytes with SHA-256 ` +
          `${expected.sha256}, found ${actual.bytes} bytes with SHA-256 ${actual.sha256}; the dump is damaged`,
      );
    }
  }
  const unlisted = (await dumpFiles(dir)).filter((file) => !listedPaths.has(file));
  return { present: true, verifiedFiles: listed.length, unlisted };
}

function parseManifest(text: string, file: string): ManifestFile[] {
  const bad = (why: string): ArchiveError =>
    new ArchiveError(ErrorCode.ARCHIVE_CORRUPT, `${file} is not a valid manifest: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw bad((error as Error).message);
  }
  const files = (parsed as { files?: unknown } | null)?.files;
  if ((parsed as { algorithm?: unknown } | null)?.algorithm !== 'sha256' || !Array.isArray(files)) {
    throw bad('expected {"algorithm": "sha256", "files": [...]}');
  }
  return files.map((entry: unknown) => {
    const { path: name, bytes, sha256 } = (entry ?? {}) as Record<string, unknown>;
    if (
      typeof name !== 'string' ||
      name.split('/').some((segment) => segment === '..' || segment === '') ||
      typeof bytes !== 'number' ||
      typeof sha256 !== 'string'
    ) {
      throw bad(`expected {"path", "bytes", "sha256"} with a relative path, found ${JSON.stringify(entry)}`);
    }
    return { path: name, bytes, sha256 };
  });
}

/** Every regular file under `dir` but the manifest, as `/`-separated relative paths, sorted. */
async function dumpFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch((error: unknown) => {
    throw fileError(dir, error);
  });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((name) => name !== MANIFEST_FILE_NAME)
    .sort();
}

/** Size and SHA-256 of a file, read as a stream, never through a link. */
async function hashFile(file: string): Promise<{ bytes: number; sha256: string }> {
  const handle = await open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false })) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } finally {
    await handle.close();
  }
  return { bytes, sha256: hash.digest('hex') };
}
