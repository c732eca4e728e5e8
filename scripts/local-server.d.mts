/** A running local server (or an external one from MONGODB_URI). */
export interface LocalServer {
  /** Connection string. */
  uri: string;
  /** Where the server came from. */
  kind: 'external' | 'mongod' | 'ferretdb';
  /** `buildInfo.version`. */
  version: string;
  /** A human description, e.g. "FerretDB v1.24.2 (MongoDB 7.0.42 wire) on 127.0.0.1:40123". */
  description: string;
  /** Stops what was started (nothing for an external deployment). */
  stop(): Promise<void>;
}

/**
 * Resolves a server: MONGODB_URI, then a real mongod via mongodb-memory-server-core, then FerretDB from .cache/tools.
 * Rejects with an Error whose `reasons` lists why each way failed.
 */
export function startLocalServer(options?: { log?: (line: string) => void }): Promise<LocalServer>;

/**
 * Starts a private FerretDB from .cache/tools on a free loopback port (data in a temporary folder). With `auth`,
 * SCRAM authentication and the user commands are on, `auth` is the first user (of `admin`), and `uri` carries it.
 */
export function startFerretDb(options?: {
  auth?: { username: string; password: string };
}): Promise<LocalServer & { kill(): Promise<void> }>;
