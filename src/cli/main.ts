#!/usr/bin/env node
/**
 * The `mongo-backup` executable: runs {@link runCli} with the real process and exits with its code.
 *
 * @packageDocumentation
 */
import { runCli } from './run-cli.js';
import { closedOutputError, isClosedOutputError } from './stdio.js';

// A reader that went away (`mongo-backup dump --archive | head -c 10`) is a failure: the output is incomplete. The
// error reaches the running command through its stream (a dump then removes its partial output); the process
// still ends with a non-zero code even when the command had finished writing.
let closedOutput: 'stdout' | 'stderr' | undefined;
for (const [name, stream] of [
  ['stdout', process.stdout],
  ['stderr', process.stderr],
] as const) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!isClosedOutputError(error)) throw error;
    closedOutput ??= name;
  });
}

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then((code) => {
  let exitCode = code;
  if (closedOutput !== undefined && exitCode === 0) {
    exitCode = 1;
    if (closedOutput === 'stdout') {
      const error = closedOutputError('standard output');
      process.stderr.write(`error [${error.code}]: ${error.message}\n`);
    }
  }
  process.exitCode = exitCode;
  // Let pending output drain, then leave even if a library handle (a socket being closed) lingers.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)));
});
