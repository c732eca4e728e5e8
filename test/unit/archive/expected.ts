/** Ground truth from test/fixtures/EXPECTED.md: per body namespace, documents, bytes and the stored (signed) CRC. */
export interface ExpectedNamespace {
  namespace: string;
  documents: number;
  bytes: number;
  crc: bigint;
}

export interface ExpectedArchive {
  file: string;
  gzip: boolean;
  serverVersion: string;
  toolVersion: string;
  entries: number;
  namespaces: ExpectedNamespace[];
}

const ns = (namespace: string, documents: number, bytes: number, crc: bigint): ExpectedNamespace => ({
  namespace,
  documents,
  bytes,
  crc,
});

const TEST_BAR = [
  ns('admin.system.version', 1, 59, -682997726120892866n),
  ns('test.bar', 1, 35, -7824457949569593127n),
];
const DUMP_W_OPLOG = [
  ns('admin.system.version', 1, 59, 914493570479648269n),
  ns('test.foo', 25, 725, -7149850455237104254n),
  ns('.oplog', 18, 2760, -9206534501618249364n),
];

export const REAL_ARCHIVES: readonly ExpectedArchive[] = [
  {
    file: 'real-archives/test.bar.archive',
    gzip: false,
    serverVersion: '3.4.3',
    toolVersion: 'r3.4.3',
    entries: 2,
    namespaces: TEST_BAR,
  },
  {
    file: 'real-archives/dump-w-oplog.archive',
    gzip: false,
    serverVersion: '4.0.2',
    toolVersion: 'r4.1.3-4-gd9eefb54',
    entries: 3,
    namespaces: DUMP_W_OPLOG,
  },
  {
    file: 'real-archives/timeseries_dump.archive',
    gzip: false,
    serverVersion: '5.0.0-rc0',
    toolVersion: '100.3.1-9-g6903606e-dirty',
    entries: 3,
    namespaces: [
      ns('admin.system.version', 1, 59, 5808966695042502227n),
      ns('admin.system.views', 0, 0, 0n),
      ns('timeseries_test.system.buckets.foo_ts', 10, 38020, 4620499534075225423n),
    ],
  },
  {
    file: 'real-archives/BenSauerlaender_gipfel-server-2.backup.archive',
    gzip: false,
    serverVersion: '6.0.24',
    toolVersion: '100.12.1',
    entries: 14,
    namespaces: [
      ns('admin.system.version', 1, 59, -5410510014729605455n),
      ns('test.climbers', 13, 1487, 8257477171810488082n),
      ns('test.summits', 1146, 205848, -2574466172117998984n),
      ns('test.ascents', 195, 71036, 4946659815835817097n),
      ns('test.examples', 0, 0, 0n),
      ns('test.regions', 13, 1242, 5351281262996523048n),
      ns('test.users', 1, 5605, 8700952633187083992n),
      ns('undefined.regions', 0, 0, 0n),
      ns('undefined.climbers', 0, 0, 0n),
      ns('undefined.summits', 0, 0, 0n),
      ns('undefined.routes', 0, 0, 0n),
      ns('undefined.ascents', 0, 0, 0n),
      ns('test.routes', 13038, 3160447, 5214402696327398654n),
      ns('undefined.users', 0, 0, 0n),
    ],
  },
  {
    file: 'real-archives/rnadigital_agentcloud.dump.gz',
    gzip: true,
    serverVersion: '7.0.2',
    toolVersion: '100.9.0',
    entries: 6,
    namespaces: [
      ns('test.orgs', 1, 97, 2006086062634738631n),
      ns('test.teams', 2, 289, 6416810272702691725n),
      ns('test.agents', 6, 3199, -4057555549598775731n),
      ns('test.accounts', 1, 328, 8503240842166366280n),
      ns('test.groups', 1, 217, 3324325974892547402n),
      ns('test.sessions', 0, 0, 0n),
    ],
  },
  {
    file: 'real-archives/uRuiz_Kenjo_Code_Challenge.dump.gz',
    gzip: true,
    serverVersion: '4.4.0',
    toolVersion: '100.1.0',
    entries: 2,
    namespaces: [
      ns('kenjo-cd-collection.artists', 7, 1432, 550944626830704867n),
      ns('kenjo-cd-collection.albums', 9, 2173, -3277051279500538466n),
    ],
  },
  // Synthetic gzip variants of real archives: same content, so the same table.
  {
    file: 'synthetic/dump-w-oplog.archive.gz',
    gzip: true,
    serverVersion: '4.0.2',
    toolVersion: 'r4.1.3-4-gd9eefb54',
    entries: 3,
    namespaces: DUMP_W_OPLOG,
  },
  {
    file: 'synthetic/multi-member.archive.gz',
    gzip: true,
    serverVersion: '3.4.3',
    toolVersion: 'r3.4.3',
    entries: 2,
    namespaces: TEST_BAR,
  },
];

/** The verdict of CURRENT mongorestore (100.18+) on each synthetic or negative file, and the error code we give. */
export interface ExpectedVerdict {
  file: string;
  accepts: boolean;
  /** For rejections: the ArchiveError code. */
  code?: string;
}

const accept = (file: string): ExpectedVerdict => ({ file, accepts: true });
const reject = (file: string, code: string): ExpectedVerdict => ({ file, accepts: false, code });

export const VERDICTS: readonly ExpectedVerdict[] = [
  reject('negative/bad-format.archive', 'ARCHIVE_BAD_METADATA'),
  reject('synthetic/bad-magic.archive', 'ARCHIVE_BAD_MAGIC'),
  reject('synthetic/crc-mismatch.archive', 'ARCHIVE_CRC_MISMATCH'),
  accept('synthetic/dump-w-oplog.archive.gz'),
  accept('synthetic/multi-member.archive.gz'),
  reject('synthetic/no-eof.archive', 'ARCHIVE_TRUNCATED'),
  reject('synthetic/ns-not-in-prelude.archive', 'ARCHIVE_BAD_BLOCK'),
  reject('synthetic/trailing-garbage.archive', 'ARCHIVE_CORRUPT'),
  reject('synthetic/truncated.archive', 'ARCHIVE_TRUNCATED'),
  reject('synthetic/edge-cases/crc-as-double.archive', 'ARCHIVE_BAD_BLOCK'),
  reject('synthetic/edge-cases/crc-as-int32-zero.archive', 'ARCHIVE_BAD_BLOCK'),
  reject('synthetic/edge-cases/doc-in-eof-block.archive', 'ARCHIVE_BAD_BLOCK'),
  accept('synthetic/edge-cases/dotted-collection-name.archive'),
  reject('synthetic/edge-cases/double-terminator-at-end.archive', 'ARCHIVE_CORRUPT'),
  accept('synthetic/edge-cases/empty-archive-no-collections.archive'),
  accept('synthetic/edge-cases/empty-collection-like-mongodump.archive'),
  accept('synthetic/edge-cases/eof-only-namespace.archive'),
  accept('synthetic/edge-cases/header-cc-int64.archive'),
  accept('synthetic/edge-cases/interleaved-two-ns.archive'),
  accept('synthetic/edge-cases/md-minimal-db-collection-only.archive'),
  reject('synthetic/edge-cases/nshdr-extra-key.archive', 'ARCHIVE_BAD_BLOCK'),
  accept('synthetic/edge-cases/nshdr-key-order.archive'),
  accept('synthetic/edge-cases/nshdr-no-crc-key.archive'),
  accept('synthetic/edge-cases/ok-baseline.archive'),
  accept('synthetic/edge-cases/prelude-extra-keys.archive'),
  reject('synthetic/edge-cases/prelude-no-header-fields.archive', 'ARCHIVE_BAD_PRELUDE'),
  reject('synthetic/edge-cases/prelude-server-version-int.archive', 'ARCHIVE_BAD_PRELUDE'),
  accept('synthetic/edge-cases/prelude-size-int64.archive'),
  accept('synthetic/edge-cases/prelude-version-0.2.archive'),
  reject('synthetic/edge-cases/segment-after-eof.archive', 'ARCHIVE_BAD_BLOCK'),
  reject('synthetic/edge-cases/server-version-empty.archive', 'ARCHIVE_BAD_PRELUDE'),
  reject('synthetic/edge-cases/server-version-unknown.archive', 'ARCHIVE_BAD_PRELUDE'),
  accept('synthetic/edge-cases/timeseries-buckets-70.archive'),
  reject('synthetic/edge-cases/timeseries-buckets-83.archive', 'ARCHIVE_BAD_BLOCK'),
  accept('synthetic/edge-cases/timeseries-viewless-83.archive'),
];
