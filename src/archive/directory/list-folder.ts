import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileError } from './dump-file.js';

/** What a folder of a directory dump holds, symbolic links resolved, each list sorted by name. */
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
 * Lists a folder, sorted by name (code unit order) so that readers are deterministic. Symbolic links are followed;
 * sockets, devices and dangling links are left out.
 *
 * @throws {@link ArchiveError} `DIRECTORY_DUMP_INVALID` when the folder cannot be read.
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
    let isFile = entry.isFile();
    let isFolder = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      const target = await stat(item.path).catch(() => undefined);
      isFile = target?.isFile() ?? false;
      isFolder = target?.isDirectory() ?? false;
    }
    if (isFile) files.push(item);
    else if (isFolder) folders.push(item);
  }
  return { files, folders };
}
