import type { Reporter, TestModule } from 'vitest/node';

/**
 * Closes the run with one plain line `N passed, N failed, N skipped` and, for every skipped test, its reason
 * (the note given to `ctx.skip(note)`), so that a skip is never mistaken for a pass.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed += 1;
        else if (result.state === 'failed') failed += 1;
        else if (result.state === 'skipped') {
          skipped.push(
            `[${module.project.name}] ${test.fullName}: ${result.note ?? 'skipped without a reason'}`,
          );
        }
      }
      // A failing hook or an import error fails a module or suite without failing any single test.
      const ownErrors = [module, ...module.children.allSuites()].filter(
        (entity) => entity.errors().length > 0,
      );
      failed += ownErrors.length;
    }
    const out: string[] = [''];
    if (skipped.length > 0) {
      out.push(`SKIPPED (${skipped.length}):`);
      for (const line of skipped) out.push(`  - ${line}`);
    }
    out.push(`${passed} passed, ${failed} failed, ${skipped.length} skipped`);
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
