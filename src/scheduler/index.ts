/**
 * Scheduler: cron-driven runs that never overlap, with typed events and a status.
 *
 * @packageDocumentation
 */
export { BackupScheduler } from './backup-scheduler.js';
export type {
  BackupSchedulerOptions,
  LastRunInfo,
  RunStartInfo,
  RunTrigger,
  SchedulerEventMap,
  SchedulerLogger,
  SchedulerStatus,
  SkippedRunInfo,
  StopOptions,
} from './backup-scheduler.js';
