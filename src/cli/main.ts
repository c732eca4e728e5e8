#!/usr/bin/env node
/**
 * The `mongo-backup` executable: runs {@link runCli} with the real process and exits with its code.
 *
 * @packageDocumentation
 */
import { runCli } from './run-cli.js';

// A reader that went away (`mongo-backup list | head -1`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then((code) => {
  process.exitCode = code;
  // Let pending output drain, then leave even if a library handle (a socket being closed) lingers.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
