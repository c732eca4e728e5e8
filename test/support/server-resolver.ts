import { startLocalServer } from '../../scripts/local-server.mjs';

/** The server the suite runs against, as shared with the test workers. */
export interface TestServer {
  /** Connection string, or "" when no server could be had. */
  uri: string;
  /** Where the server came from. */
  kind: 'external' | 'mongod' | 'ferretdb' | 'none';
  /** `buildInfo.version` as the server reports it. */
  version: string;
  /** A human description, e.g. "FerretDB v1.24.2 (MongoDB 7.0.42 wire)". */
  description: string;
  /** Why there is no server (kind "none"). */
  skipReason: string;
}

/** A resolved server plus how to stop it. */
export interface RunningServer {
  server: TestServer;
  stop(): Promise<void>;
}

/**
 * Resolves the server for the run (see scripts/local-server.mjs for the order); when none can be had, a server of
 * kind "none" carrying the reasons, so that integration tests skip with them.
 */
export async function resolveTestServer(log: (line: string) => void): Promise<RunningServer> {
  try {
    const { uri, kind, version, description, stop } = await startLocalServer({ log });
    return { server: { uri, kind, version, description, skipReason: '' }, stop };
  } catch (error) {
    const skipReason = error instanceof Error ? error.message : String(error);
    return {
      server: { uri: '', kind: 'none', version: '', description: 'none', skipReason },
      stop: async () => {},
    };
  }
}
