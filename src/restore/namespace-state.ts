import type { NamespaceRestoreReport, NamespaceRestoreStatus } from './types.js';
import type { PlannedRestore } from './restore-plan.js';

/** What the restore knows of one namespace while it runs. */
export class NamespaceState {
  status: NamespaceRestoreStatus;
  reason: string | undefined;
  documentsRead = 0;
  documentsInserted = 0;
  duplicates = 0;
  failures = 0;
  indexesBuilt = 0;
  /** Resolves once the target collection is dropped/created; set on the first document or at the end. */
  prepared: Promise<void> | undefined;
  /** Resolves once a timeseries target accepts mixed-schema buckets; set on the first refusal. */
  mixedSchemaAllowed: Promise<void> | undefined;
  /** Insert batches sent and not yet answered. */
  readonly inflight = new Set<Promise<void>>();
  /** Documents gathered for the next insert batch. */
  batch: Buffer[] = [];
  batchBytes = 0;

  constructor(readonly plan: PlannedRestore) {
    this.status = plan.skipReason === undefined ? 'not-restored' : 'skipped';
    this.reason = plan.skipReason;
  }

  /** Whether documents of this namespace are written. */
  get active(): boolean {
    return this.plan.skipReason === undefined;
  }

  /** Marks the namespace failed, keeping the first reason. */
  fail(reason: string): void {
    if (this.status === 'failed') return;
    this.status = 'failed';
    this.reason = reason;
  }

  /** The namespace's line of the report. */
  toReport(): NamespaceRestoreReport {
    return {
      source: this.plan.source,
      target: this.plan.target,
      type: this.plan.type,
      status: this.status,
      documentsRead: this.documentsRead,
      documentsInserted: this.documentsInserted,
      duplicates: this.duplicates,
      failures: this.failures,
      indexesBuilt: this.indexesBuilt,
      ...(this.reason === undefined ? {} : { reason: this.reason }),
    };
  }
}
