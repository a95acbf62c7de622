// Prints the run's totals as one plain closing line ("N passed, N failed, N skipped"), which
// CI reads to know how many tests ran.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const suitesFailed = results.numFailedTestSuites > 0 && results.numFailedTests === 0 ? ` (${results.numFailedTestSuites} suites failed to run)` : '';
    process.stdout.write(`\nTests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped${suitesFailed}\n`);
  }
}
