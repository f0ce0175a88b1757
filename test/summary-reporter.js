// Ends the run with one plain line, `N passed, N failed`, that CI systems read
// without knowing jest's own summary format (skipped tests, if any, are counted
// on the line before). With MLPATH_TEST_SUMMARY set (scripts/test.js sets it),
// the counts are also written there as JSON.
'use strict';
const fs = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const passed = results.numPassedTests;
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    if (process.env.MLPATH_TEST_SUMMARY) {
      fs.writeFileSync(process.env.MLPATH_TEST_SUMMARY, JSON.stringify({ passed, failed, skipped }));
    }
    const lines = [...(skipped ? [`${skipped} skipped`] : []), `${passed} passed, ${failed} failed`];
    // jest prints its own summary after every reporter; this must be the last line.
    process.on('exit', () => process.stderr.write(`\n${lines.join('\n')}\n`));
  }
}

module.exports = SummaryReporter;
