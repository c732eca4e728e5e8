/**
 * Runs the example: builds the service from the environment, serves the admin routes, and shuts down cleanly on
 * SIGINT/SIGTERM (stop accepting requests, let running ones finish for a while, then close the service).
 *
 *   JWT_SECRET=... MONGODB_URI=mongodb://localhost:27017 npm start
 */
import { MongoBackupService } from 'mongo-backup-service';

import { createApp } from './app.js';
import { readServerConfig, type ServerConfig } from './config.js';
import { OperationLock } from './operation-lock.js';
import { isOn, RUN_ON_START_VARIABLE, startSeedScheduler } from './seed-scheduler.js';
import { DUMP_DIR_VARIABLE, mountSeedRouters, seedEnvironment } from './seed-setup.js';

/** How long running requests (a backup, an import) get to finish on shutdown. */
const SHUTDOWN_GRACE_MS = 30_000;

const { config, service } = configure();

/** The server settings and the service, or exit with the reason (configuration errors never hold credentials). */
function configure(): { config: ServerConfig; service: MongoBackupService } {
  try {
    const config = readServerConfig(process.env);
    // Reads MONGODB_URI, MONGO_BACKUP_TARGET_URI, MONGO_BACKUP_DIR and the other MONGO_BACKUP_* variables, and
    // the seed systems' names (MONGO_URI_ATLAS, BACKUP_PATH...; see seed-setup.ts). Validates at once, connects lazily.
    return { config, service: new MongoBackupService({ env: seedEnvironment(process.env) }) };
  } catch (error) {
    console.error(`Refusing to start: ${(error as Error).message}`);
    process.exit(1);
  }
}

// One lock for the seed routes and the scheduled runs: a backup, an import, a clean or a dump at a time.
const lock = new OperationLock();
const scheduler = startSeedScheduler({ service, lock, runOnStart: isOn(process.env[RUN_ON_START_VARIABLE]) });
const app = createApp({ service, jwtSecret: config.jwtSecret });
mountSeedRouters(app, {
  service,
  jwtSecret: config.jwtSecret,
  scheduler,
  lock,
  dumpDir: process.env[DUMP_DIR_VARIABLE]?.trim() || undefined,
});
const server = app.listen(config.port, config.host, () => {
  const address = server.address();
  const where =
    typeof address === 'object' && address !== null ? `${address.address}:${address.port}` : address;
  console.log(`Backup admin API on http://${where}/admin/backups (backups in ${service.config.backupDir})`);
  console.log(`Seed system routes: POST http://${where}/auth/api/dump/create, http://${where}/api/backups/*`);
});
server.on('error', (error) => {
  console.error(`Could not listen: ${error.message}`);
  process.exit(1);
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const grace = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
  await Promise.race([closed, grace]);
  server.closeAllConnections();
  await scheduler?.stop({ abort: true });
  await service.close();
  console.log('stopped');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  });
}
