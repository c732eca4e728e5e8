import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { unknownVariableWarnings } from '../../../src/cli/env-typos.js';
import { runCaptured } from './helpers.js';

describe('unknown MONGO_BACKUP_* variables', () => {
  it('are named in a warning on stderr, with the closest known name; the command still runs', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mbs-env-'));
    try {
      const run = await runCaptured(['list', `--backupDir=${dir}`, '--json'], {
        env: { MONGO_BACKUP_RETENTON: '7', MONGO_BACKUP_RETENTION: '3', MONGO_BACKUP_COLOR: 'blue' },
      });
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(
        'warning: MONGO_BACKUP_RETENTON is not a variable mongo-backup reads; it is ignored (did you mean MONGO_BACKUP_RETENTION?)',
      );
      expect(run.stderr).toContain(
        'warning: MONGO_BACKUP_COLOR is not a variable mongo-backup reads; it is ignored\n',
      );
      expect(() => run.json()).not.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says nothing for known names and other variables', () => {
    expect(
      unknownVariableWarnings({
        MONGO_BACKUP_DIR: 'x',
        MONGO_BACKUP_DEBUG: '1',
        MONGODB_URI: 'y',
        HOME: '/',
      }),
    ).toEqual([]);
  });
});
