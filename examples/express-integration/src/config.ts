/**
 * The server's own settings from the environment. The backup settings (MONGODB_URI, MONGO_BACKUP_TARGET_URI,
 * MONGO_BACKUP_DIR, MONGO_BACKUP_RETENTION...) are read by the library itself; see its docs/configuration.md.
 */
import { assertJwtSecret } from './auth.js';

/** What server.ts needs besides the service. */
export interface ServerConfig {
  /** `JWT_SECRET`: the HS256 secret admin tokens are signed with. Required, at least 32 characters. */
  readonly jwtSecret: string;
  /** `PORT`: defaults to 3000. */
  readonly port: number;
  /** `HOST`: the interface to listen on. Defaults to 127.0.0.1 (this machine only). */
  readonly host: string;
}

/** Reads {@link ServerConfig}; throws an `Error` that says which variable is wrong and why. */
export function readServerConfig(env: Readonly<Record<string, string | undefined>>): ServerConfig {
  const jwtSecret = env['JWT_SECRET'];
  try {
    assertJwtSecret(jwtSecret);
  } catch (error) {
    throw new Error(`JWT_SECRET: ${(error as Error).message}`, { cause: error });
  }
  const portText = env['PORT']?.trim() || '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new Error(`PORT: expected a port number from 0 to 65535, got ${JSON.stringify(portText)}`);
  }
  return { jwtSecret, port, host: env['HOST']?.trim() || '127.0.0.1' };
}
