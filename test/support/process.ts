import { spawn } from 'node:child_process';

/** What a finished child process printed, and its exit code. */
export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where and how {@link runProcess} runs its child. */
export interface ProcessOptions {
  /** Working folder; the test's by default. */
  readonly cwd?: string;
  /** The whole environment of the child; the test's by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** Killed after this many milliseconds (60 s by default). */
  readonly timeoutMs?: number;
}

/** Runs a command to completion (stdin closed) and collects what it printed. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: ProcessOptions = {},
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Only PATH from the test's environment, plus `env`: what a child sees when a test wants a clean environment. */
export function pathOnly(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '', ...env };
}
