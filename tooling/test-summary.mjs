#!/usr/bin/env node
// Adds up the jest result files that every workspace package's `test` script writes and
// prints the one plain line CI reads: `tests: N passed, N failed`. A package whose test run
// left no result file (crashed, timed out, killed) counts as one failure, so the line can
// never report green for tests that did not run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? process.cwd();
const dirs = ['tooling'];
for (const group of ['packages', 'apps']) {
  if (!existsSync(join(root, group))) continue;
  for (const d of readdirSync(join(root, group))) dirs.push(join(group, d));
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of dirs) {
  const pkgFile = join(root, dir, 'package.json');
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  if (!pkg.scripts?.test) continue;
  const resultFile = join(root, dir, '.jest-results.json');
  if (!existsSync(resultFile)) {
    console.error(`test-summary: ${pkg.name} left no result file; counting it as a failure`);
    failed += 1;
    continue;
  }
  const result = JSON.parse(readFileSync(resultFile, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + (result.numTodoTests ?? 0);
  // A suite that failed to load has no failed tests but is a failure all the same.
  const brokenSuites = result.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0);
  for (const s of brokenSuites) console.error(`test-summary: suite failed to run: ${s.name}\n${s.message}`);
  failed += brokenSuites.length;
}
// Skipped tests (the other backend's half of a suite that runs on SQLite and PostgreSQL) get a
// line of their own: the last line stays exactly what CI reads.
if (skipped) console.log(`skipped: ${skipped} (tests marked for the other backend)`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
