/**
 * `mongo-backup check`: can both clusters be reached? Credentials never appear in what it prints.
 *
 * @packageDocumentation
 */
import type { ConnectionCheckResult } from '../../connections/index.js';
import { redactSecrets } from '../../connections/index.js';
import { MongoBackupService, type ConnectionsStatus } from '../../mongo-backup-service.js';
import { definedOnly, integerFlag, stringFlag, type ParsedArgs } from '../args.js';
import { JSON_FLAG, URI_FLAG, wantsJson, type CommandSpec } from '../command.js';
import { formatTable, toJson } from '../format.js';
import { writeLine, type CliIo } from '../io.js';
import { knownSecrets } from '../report-error.js';

/** What the flags of `check` ask for. */
export interface CheckInvocation {
  /** `--uri`: the source cluster. */
  readonly sourceUri?: string;
  /** `--targetUri`: the second cluster. */
  readonly targetUri?: string;
  /** `--timeoutMs`: time allowed per cluster. */
  readonly timeoutMs?: number;
  /** `--json`: one JSON document instead of the table. */
  readonly json: boolean;
}

/** Maps the flags of `check`. */
export function parseCheckArgs(args: ParsedArgs): CheckInvocation {
  return {
    ...definedOnly({
      sourceUri: stringFlag(args, 'uri'),
      targetUri: stringFlag(args, 'targetUri'),
      timeoutMs: integerFlag(args, 'timeoutMs', { min: 1, max: 600_000 }),
    }),
    json: wantsJson(args),
  };
}

/** The status table: one row per cluster. */
export function connectionLines(status: ConnectionsStatus): string[] {
  const row = (name: string, result: ConnectionCheckResult): string[] => [
    name,
    result.connected ? 'connected' : 'NOT CONNECTED',
    result.host,
    result.latencyMs === undefined ? '-' : `${result.latencyMs} ms`,
    result.version ?? '-',
    result.error ?? '',
  ];
  const rows = [row('source', status.source), ...(status.target ? [row('target', status.target)] : [])];
  return formatTable(['CLUSTER', 'STATUS', 'HOST', 'LATENCY', 'VERSION', 'ERROR'], rows, {
    align: ['left', 'left', 'left', 'right', 'left', 'left'],
  });
}

/** Checks the clusters; exit code 1 when one is not connected. */
export async function runCheckCommand(
  invocation: CheckInvocation,
  io: CliIo,
  argv: readonly string[],
): Promise<number> {
  const service = new MongoBackupService({
    ...definedOnly({ sourceUri: invocation.sourceUri, targetUri: invocation.targetUri }),
    env: io.env,
  });
  try {
    const status = await service.checkConnections(
      invocation.timeoutMs === undefined ? {} : { timeoutMs: invocation.timeoutMs },
    );
    const ok = status.source.connected && (status.target?.connected ?? true);
    // The library already scrubs errors; scrubbing again with every URI the user gave costs nothing.
    const secrets = knownSecrets(argv, io);
    const text = invocation.json ? toJson({ ok, ...status }) : connectionLines(status).join('\n');
    writeLine(io.stdout, redactSecrets(text, secrets));
    return ok ? 0 : 1;
  } finally {
    await service.close();
  }
}

/** `mongo-backup check`. */
export const checkCommand: CommandSpec = {
  name: 'check',
  summary: 'Check the connection to the source cluster (and the target one, when configured)',
  usage: 'check [--uri=<uri>] [--targetUri=<uri>] [--timeoutMs=<ms>] [--json]',
  description: [
    'Connects, runs ping and buildInfo, and shows status, host, latency, server version or the error. Exits with',
    '1 when a cluster is not connected. Credentials are never printed.',
  ],
  flags: {
    uri: URI_FLAG,
    targetUri: {
      type: 'string',
      value: '<uri>',
      description: 'Second cluster to check (default: MONGO_BACKUP_TARGET_URI)',
    },
    timeoutMs: {
      type: 'string',
      value: '<ms>',
      description: 'Time allowed per cluster, in milliseconds (default: 5000)',
    },
    json: JSON_FLAG,
  },
  maxPositionals: 0,
  examples: [
    'mongo-backup check',
    'mongo-backup check --uri="$ATLAS_URI" --targetUri=mongodb://localhost:27017 --json',
  ],
  run: (args, io) => runCheckCommand(parseCheckArgs(args), io, args.argv),
};
