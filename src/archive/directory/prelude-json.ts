/**
 * `prelude.json`: the server and tool versions that mongodump 100.12+ writes next to a directory dump.
 *
 * @packageDocumentation
 */

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ArchiveError, ErrorCode } from '../../errors.js';
import { readWholeFile } from './dump-file.js';

/** The content of `prelude.json`. */
export interface PreludeJson {
  /** The source server's version, as mongodump recorded it ("unknown" when it could not tell). */
  readonly serverVersion: string;
  /** The version of the tool that wrote the dump. */
  readonly toolVersion: string;
}

/** The file name of the prelude, before any `.gz`. */
export const PRELUDE_FILE_NAME = 'prelude.json';

/**
 * Formats the prelude as mongodump does: `{"ServerVersion":"...","ToolVersion":"..."}`.
 *
 * @example
 * ```ts
 * formatPreludeJson({ serverVersion: '7.0.16', toolVersion: '100.12.0' });
 * // '{"ServerVersion":"7.0.16","ToolVersion":"100.12.0"}'
 * ```
 * @internal
 */
export function formatPreludeJson(prelude: PreludeJson): string {
  return JSON.stringify({ ServerVersion: prelude.serverVersion, ToolVersion: prelude.toolVersion });
}

/**
 * Reads the first `prelude.json` (or `prelude.json.gz`) found in `folders`, in order; `undefined` when none holds
 * one.
 *
 * @throws {@link ArchiveError} `DIRECTORY_DUMP_INVALID` when the file is not a JSON object with a string
 *   `ServerVersion` (and, if present, a string `ToolVersion`).
 * @internal
 */
export async function findPreludeJson(folders: readonly string[]): Promise<PreludeJson | undefined> {
  for (const folder of folders) {
    for (const gzip of [false, true]) {
      const file = path.join(folder, gzip ? `${PRELUDE_FILE_NAME}.gz` : PRELUDE_FILE_NAME);
      if (!(await isFile(file))) continue;
      const text = (await readWholeFile({ path: file, compression: gzip ? 'gzip' : 'none' })).toString(
        'utf8',
      );
      return parsePreludeJson(text, file);
    }
  }
  return undefined;
}

function parsePreludeJson(text: string, file: string): PreludeJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidPrelude(
      file,
      `a JSON object, found text that is not JSON (${(error as Error).message})`,
      error,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidPrelude(file, `a JSON object, found ${JSON.stringify(parsed)}`);
  }
  const { ServerVersion: serverVersion, ToolVersion: toolVersion = '' } = parsed as Record<string, unknown>;
  if (typeof serverVersion !== 'string') {
    throw invalidPrelude(file, `a string "ServerVersion", found ${JSON.stringify(serverVersion) ?? 'none'}`);
  }
  if (typeof toolVersion !== 'string') {
    throw invalidPrelude(file, `a string "ToolVersion", found ${JSON.stringify(toolVersion)}`);
  }
  return { serverVersion, toolVersion };
}

function invalidPrelude(file: string, expected: string, cause?: unknown): ArchiveError {
  return new ArchiveError(
    ErrorCode.DIRECTORY_DUMP_INVALID,
    `${file} is not a valid prelude: expected ${expected}`,
    {
      cause,
    },
  );
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
