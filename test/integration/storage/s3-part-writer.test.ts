import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { S3PartWriter } from '../../../src/storage/s3-part-writer.js';
import { useS3TestServer, type S3TestServer } from '../../support/s3-server.js';
import { waitFor } from '../../support/wait.js';

const MIB = 1024 * 1024;
const s3Server = useS3TestServer();

/** A client of its own, which records the buffer each part was sent from, and may delay each part's request. */
function recordingClient(
  server: S3TestServer,
  delayMs = 0,
): { client: S3Client; sentFrom: ArrayBufferLike[] } {
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: server.credentials,
    forcePathStyle: true,
  });
  const sentFrom: ArrayBufferLike[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UploadPartCommand') {
        sentFrom.push((args.input as { Body: Buffer }).Body.buffer);
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordPartBuffers' },
  );
  return { client, sentFrom };
}

function write(writer: S3PartWriter, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    writer.write(bytes, (error) => (error ? reject(error) : resolve())),
  );
}

/** A writer of 5 MiB parts, two in flight, CRC32: a dump's upload by default. */
function partWriter(
  client: S3Client,
  bucket: string,
  key: string,
  onBytesStored?: (bytes: number) => void,
): S3PartWriter {
  return new S3PartWriter({
    client,
    bucket,
    key,
    partSize: 5 * MIB,
    partsInFlight: 2,
    checksumAlgorithm: 'CRC32',
    onBytesStored,
  });
}

/** Ends the writer's stream, completes the upload and reads the object back. */
async function completeAndRead(
  writer: S3PartWriter,
  client: S3Client,
  bucket: string,
  key: string,
): Promise<Buffer> {
  writer.end();
  await finished(writer);
  await writer.complete();
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(
    await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
}

describe('S3 part writer against versitygw', () => {
  it('when the uploads keep up, every part is sent from the first buffer: bytes that came during an upload move back into it', async (ctx) => {
    const server = s3Server(ctx);
    const bucket = await server.createBucket();
    const { client, sentFrom } = recordingClient(server);
    let stored = 0;
    const writer = partWriter(client, bucket, 'kept-up.bin', (bytes) => (stored = bytes));
    const data = randomBytes(16 * MIB + 12_345);
    await write(writer, data.subarray(0, 5 * MIB)); // part 1 is full: its upload starts
    await write(writer, data.subarray(5 * MIB, 6 * MIB)); // comes during that upload: into a second buffer
    await waitFor(() => stored === 5 * MIB);
    await write(writer, data.subarray(6 * MIB, 11 * MIB)); // part 2, filled in the first buffer again
    await waitFor(() => stored === 10 * MIB);
    await write(writer, data.subarray(11 * MIB));
    await waitFor(() => stored === 15 * MIB);
    const object = await completeAndRead(writer, client, bucket, 'kept-up.bin'); // the last part, also moved back

    expect(sentFrom).toHaveLength(4);
    expect(new Set(sentFrom).size).toBe(1);
    expect(object.equals(data)).toBe(true);
    client.destroy();
  });

  it('when the uploads are slower than the writes, parts go from both buffers, two at once, and land byte-identical', async (ctx) => {
    const server = s3Server(ctx);
    const bucket = await server.createBucket();
    const { client, sentFrom } = recordingClient(server, 300);
    const writer = partWriter(client, bucket, 'slow.bin');
    const data = randomBytes(23 * MIB + 777);
    // Paced writes as well as back-to-back ones: parts fill while others upload, in either buffer.
    for (let offset = 0, n = 0; offset < data.length; offset += MIB, n += 1) {
      await write(writer, data.subarray(offset, offset + MIB));
      if (n % 7 === 3) await new Promise((resolve) => setTimeout(resolve, 150));
    }
    const object = await completeAndRead(writer, client, bucket, 'slow.bin');

    expect(sentFrom).toHaveLength(5);
    expect(new Set(sentFrom).size).toBe(2);
    expect(object.equals(data)).toBe(true);
    client.destroy();
  });
});
