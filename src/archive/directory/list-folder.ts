import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ArchiveError, ErrorCode } from '../../errors.js';
import { fileError } from './dump-file.js';

/** What a folder of a directory dump holds, each list sorted by name. */
export interface FolderListing {
  /** Regular files. */
  readonly files: readonly FolderItem[];
  /** Sub-folders. */
  readonly folders: readonly FolderItem[];
}

/** One item of a {@link FolderListing}. */
export interface FolderItem {
  /** The name inside the folder. */
  readonly name: string;
  /** The folder path joined with the name. */
  readonly path: string;
}

/**
 * Lists a folder, sorted by name (code unit order) so that readers are deterministic. Sockets and devices are left
 * out. A symbolic link is refused: a backup never leads a restore outside itself (a link to another folder or to
 * `/proc/self/environ` would restore or log what is not in the backup).
 *
 * @throws {@link ArchiveError} `DIRECTORY_DUMP_INVALID` when the folder cannot be read or holds a symbolic link.
 * @internal
 */
export async function listFolder(folder: string): Promise<FolderListing> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    throw fileError(folder, error);
  }
  const files: FolderItem[] = [];
  const folders: FolderItem[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const item = { name: entry.name, path: path.join(folder, entry.name) };
    if (entry.isSymbolicLink()) {
      throw new ArchiveError(
        ErrorCode.DIRECTORY_DUMP_INVALID,
        `${item.path} is a symbolic link; links inside a backup are never followed (copy the real file in)`,
      );
    }
    if (entry.isFile()) files.push(item);
    else if (entry.isDirectory()) folders.push(item);
  }
  return { files, folders };
}
