/**
 * mongodump's and mongorestore's connection flags (`-h/--host`, `--port`, `-u`, `-p`, `--authenticationDatabase`,
 * `--authenticationMechanism`), turned into the connection string the service takes.
 *
 * @packageDocumentation
 */
import { splitMongoUri } from '../connections/uri.js';
import type { Environment } from '../config/index.js';
import { integerFlag, stringFlag, usageError, type FlagSpecs, type ParsedArgs } from './args.js';

/** The flags, with their mongodump meaning. */
export const CONNECTION_FLAGS: FlagSpecs = {
  host: {
    type: 'string',
    short: 'h',
    value: '<host>',
    description:
      'Server to connect to: host[:port], host1,host2, or <replSet>/host1,host2 (instead of --uri)',
  },
  port: { type: 'string', value: '<port>', description: 'Port of the hosts that name none (default: 27017)' },
  username: { type: 'string', short: 'u', value: '<user>', description: 'User name to authenticate as' },
  password: {
    type: 'string',
    short: 'p',
    value: '<password>',
    description: 'Password of --username (never printed)',
  },
  authenticationDatabase: {
    type: 'string',
    value: '<db>',
    description: "Database the user is defined in (default: the driver's, admin)",
  },
  authenticationMechanism: {
    type: 'string',
    value: '<mechanism>',
    description: 'SCRAM-SHA-1, SCRAM-SHA-256, MONGODB-X509, PLAIN, GSSAPI or MONGODB-AWS',
  },
};

const DEFAULT_HOST = 'localhost';

/**
 * The connection string the flags describe: `--uri` (or, with none, the environment's source URI) completed with
 * the credential flags, or one built from `--host`/`--port`. `undefined` when no connection flag was given, so that
 * the environment decides as before.
 *
 * @throws {@link MongoBackupUsageError} for `--host` with `--uri`, `--port` with `--uri`, `--password` without
 *   `--username`, or a user name given twice.
 */
export function connectionUri(args: ParsedArgs, env: Environment): string | undefined {
  const uri = stringFlag(args, 'uri');
  const host = stringFlag(args, 'host');
  const port = integerFlag(args, 'port', { min: 1, max: 65535 });
  const username = stringFlag(args, 'username');
  const password = stringFlag(args, 'password');
  const authSource = stringFlag(args, 'authenticationDatabase');
  const authMechanism = stringFlag(args, 'authenticationMechanism');
  if (uri !== undefined && host !== undefined) throw usageError('--uri and --host cannot be used together');
  if (uri !== undefined && port !== undefined) throw usageError('--port goes with --host, not with --uri');
  if (password !== undefined && username === undefined) throw usageError('--password needs --username');
  const hostGiven = host !== undefined || port !== undefined;
  const credentialsGiven = username !== undefined || authSource !== undefined || authMechanism !== undefined;
  if (uri === undefined && !hostGiven && !credentialsGiven) return undefined;
  const base =
    uri ??
    (hostGiven ? hostUri(host ?? DEFAULT_HOST, port) : undefined) ??
    env['MONGO_BACKUP_SOURCE_URI'] ??
    env['MONGODB_URI'] ??
    hostUri(DEFAULT_HOST, undefined);
  return withCredentials(base, { username, password, authSource, authMechanism });
}

/** `mongodb://` with mongodump's host forms: `host`, `host:port`, `h1,h2`, `replSet/h1,h2`. */
function hostUri(host: string, port: number | undefined): string {
  const slash = host.indexOf('/');
  const replicaSet = slash === -1 ? undefined : host.slice(0, slash);
  const hosts = (slash === -1 ? host : host.slice(slash + 1)).split(',').map((entry) => entry.trim());
  if (hosts.some((entry) => entry === '' || /[@/?#\s]/.test(entry)) || replicaSet === '') {
    throw usageError(
      `--host: expected host[:port], host1,host2 or <replSet>/host1,host2, got ${JSON.stringify(host)}`,
    );
  }
  const withPorts = hosts.map((entry) => (port === undefined || hasPort(entry) ? entry : `${entry}:${port}`));
  const query = replicaSet === undefined ? '' : `?replicaSet=${encodeURIComponent(replicaSet)}`;
  return `mongodb://${withPorts.join(',')}/${query}`;
}

function hasPort(host: string): boolean {
  return host.startsWith('[') ? /\]:\d+$/.test(host) : host.includes(':');
}

interface Credentials {
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly authSource: string | undefined;
  readonly authMechanism: string | undefined;
}

function withCredentials(base: string, credentials: Credentials): string {
  const parts = splitMongoUri(base);
  if (parts === undefined) return base; // the service reports an unusable connection string
  const { username, password, authSource, authMechanism } = credentials;
  if (username !== undefined && parts.username !== undefined) {
    throw usageError('--username: the connection string already names a user');
  }
  const userinfo =
    username === undefined
      ? base.slice(parts.scheme.length + 3, base.length - parts.tail.length - parts.hosts.join(',').length)
      : `${encodeURIComponent(username)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@`;
  const options = [
    ...(authSource === undefined ? [] : [`authSource=${encodeURIComponent(authSource)}`]),
    ...(authMechanism === undefined ? [] : [`authMechanism=${encodeURIComponent(authMechanism)}`]),
  ];
  let tail = parts.tail;
  if (options.length > 0) {
    const hash = tail.indexOf('#');
    const fragment = hash === -1 ? '' : tail.slice(hash);
    const beforeFragment = hash === -1 ? tail : tail.slice(0, hash);
    const path = beforeFragment === '' ? '/' : beforeFragment;
    const separator = !path.includes('?') ? '?' : path.endsWith('?') || path.endsWith('&') ? '' : '&';
    tail = `${path}${separator}${options.join('&')}${fragment}`;
  }
  return `${parts.scheme}://${userinfo}${parts.hosts.join(',')}${tail}`;
}

/** The passwords given with `-p`/`--password`, to scrub from anything printed. */
export function passwordsIn(argv: readonly string[]): string[] {
  const found: string[] = [];
  argv.forEach((arg, index) => {
    if (arg === '-p' || arg === '--password') {
      const next = argv[index + 1];
      if (next !== undefined) found.push(next);
    } else if (arg.startsWith('--password=')) {
      found.push(arg.slice('--password='.length));
    } else if (arg.startsWith('-p') && !arg.startsWith('--') && arg.length > 2) {
      found.push(arg.slice(arg[2] === '=' ? 3 : 2));
    }
  });
  return found.filter((secret) => secret !== '');
}
