import type { Readable } from 'node:stream';
import { BSON } from 'bson';
import { readArchive } from '../../../src/archive/index.js';
import type { ArchiveEvent, ReadArchiveOptions } from '../../../src/archive/index.js';

/** Raw BSON of a plain object. */
export function bson(value: Record<string, unknown>): Buffer {
  return Buffer.from(BSON.serialize(value));
}

/** Every byte a stream produces. */
export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Splits a buffer into chunks of `size` bytes (the last one shorter). */
export function* chunks(bytes: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Every event of an archive. */
export async function readAll(
  source: Parameters<typeof readArchive>[0],
  options?: ReadArchiveOptions,
): Promise<ArchiveEvent[]> {
  const events: ArchiveEvent[] = [];
  for await (const event of readArchive(source, options)) events.push(event);
  return events;
}

/** The documents of each body namespace, concatenated in archive order. */
export function documentsByNamespace(events: readonly ArchiveEvent[]): Map<string, Buffer[]> {
  const result = new Map<string, Buffer[]>();
  for (const event of events) {
    if (event.kind !== 'documents') continue;
    const name = `${event.db}.${event.collection}`;
    const list = result.get(name) ?? [];
    list.push(...event.documents);
    result.set(name, list);
  }
  return result;
}

/** A raw archive walker for structural assertions: each item with its offset, kind and decoded value. */
export interface RawItem {
  offset: number;
  kind: 'magic' | 'terminator' | 'document';
  bytes: Buffer;
}

/** Splits raw (uncompressed) archive bytes into magic, documents and terminators. */
export function rawItems(archive: Buffer): RawItem[] {
  const items: RawItem[] = [{ offset: 0, kind: 'magic', bytes: archive.subarray(0, 4) }];
  let offset = 4;
  while (offset < archive.length) {
    const value = archive.readInt32LE(offset);
    if (value === -1) {
      items.push({ offset, kind: 'terminator', bytes: archive.subarray(offset, offset + 4) });
      offset += 4;
    } else {
      items.push({ offset, kind: 'document', bytes: archive.subarray(offset, offset + value) });
      offset += value;
    }
  }
  return items;
}
