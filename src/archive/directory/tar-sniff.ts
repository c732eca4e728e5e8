/**
 * Telling a `.tar.gz` of a directory dump from a gzipped archive by its content, whatever the file is called.
 *
 * @internal
 * @packageDocumentation
 */
import { open } from 'node:fs/promises';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';

const SNIFF_BYTES = 64 * 1024;
const TAR_MAGIC_OFFSET = 257;

/**
 * Whether `file` is gzip whose content starts with a tar header (`ustar` at offset 257) rather than, say, the archive
 * magic. Reads at most the first 64 KiB.
 */
export async function looksLikeTarGz(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) return false;
  try {
    const start = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    return start.subarray(TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + 5).toString('latin1') === 'ustar';
  } catch {
    return false;
  }
}
