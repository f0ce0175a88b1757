// Ends the run with one plain line, `N passed, N failed[, N skipped]`, that CI
// systems read without knowing jest's own summary format.
'use strict';

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    // jest prints its own summary after every reporter; this must be the last line.
    process.on('exit', () => process.stderr.write(`\n${line}\n`));
  }
}

module.exports = SummaryReporter;
