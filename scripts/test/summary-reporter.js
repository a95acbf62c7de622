// Prints the run's totals as one plain closing line ("Tests: N passed, N failed, N skipped"),
// which CI reads to know how many tests ran. Written when the process exits, so that it comes
// after Jest's own summary and is the last line of the run.
import { writeSync } from 'node:fs';

export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const unrun = results.numRuntimeErrorTestSuites > 0 ? ` (${results.numRuntimeErrorTestSuites} test files failed to run)` : '';
    const line = `\nTests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped${unrun}\n`;
    process.once('exit', () => writeSync(1, line));
  }
}
