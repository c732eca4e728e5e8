import { BSON } from 'bson';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach } from 'vitest';
import type { ArchiveEvent } from '../../../../src/archive/types.js';

/** The documents of a `.bson` file (gzipped or not), found by walking the int32 length prefixes: no parser involved. */
export async function walkBsonFile(file: string): Promise<Buffer[]> {
  let content = await readFile(file);
  if (content[0] === 0x1f && content[1] === 0x8b) content = gunzipSync(content);
  const documents: Buffer[] = [];
  let offset = 0;
  while (offset < content.length) {
    const length = content.readInt32LE(offset);
    documents.push(content.subarray(offset, offset + length));
    offset += length;
  }
  if (offset !== content.length) throw new Error(`${file}: the length walk overran the file`);
  return documents;
}

/** Reads an event stream to the end. */
export async function collectEvents(events: AsyncIterable<ArchiveEvent>): Promise<ArchiveEvent[]> {
  const all: ArchiveEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** Reads an event stream until it throws; returns the events seen and the error. */
export async function eventsUntilError(
  events: AsyncIterable<ArchiveEvent>,
): Promise<{ events: ArchiveEvent[]; error: unknown }> {
  const seen: ArchiveEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
  } catch (error) {
    return { events: seen, error };
  }
  throw new Error(`expected the stream to fail; it ended after ${seen.length} events`);
}

/** The documents of every body namespace, concatenated in order, keyed by `db.collection`. */
export function documentsByNamespace(events: readonly ArchiveEvent[]): Map<string, Buffer[]> {
  const byNamespace = new Map<string, Buffer[]>();
  for (const event of events) {
    if (event.kind !== 'documents') continue;
    const key = `${event.db}.${event.collection}`;
    byNamespace.set(key, [...(byNamespace.get(key) ?? []), ...event.documents]);
  }
  return byNamespace;
}

/** The `namespace-end` events, keyed by `db.collection`. */
export function endsByNamespace(
  events: readonly ArchiveEvent[],
): Map<string, Extract<ArchiveEvent, { kind: 'namespace-end' }>> {
  const ends = new Map<string, Extract<ArchiveEvent, { kind: 'namespace-end' }>>();
  for (const event of events)
    if (event.kind === 'namespace-end') ends.set(`${event.db}.${event.collection}`, event);
  return ends;
}

/** A raw BSON document. */
export function bson(document: Record<string, unknown>): Buffer {
  return Buffer.from(BSON.serialize(document));
}

const created: string[] = [];

/** A fresh temporary folder, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mbs-directory-'));
  created.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
