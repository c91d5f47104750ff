// Node 20's test runner takes no globs: find the unit test files ourselves and hand them over.
// Extra arguments (e.g. a file filter) narrow the list: `npm run test:unit -- parser`.
//
// Nothing may hang: every test, suite and hook has a timeout (test/harness/default-timeouts.cjs, 30 s unless it
// sets its own; TEST_TIMEOUT_MS overrides), a file whose tests are done exits even if a handle stays open
// (--test-force-exit), and the whole run has a deadline (UNIT_TESTS_DEADLINE_MS, default 20 min) after which
// it is killed, process group and all, with a message.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? find(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

const filters = process.argv.slice(2);
const files = find('test/unit')
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no unit test files matched');
  process.exit(1);
}
const deadlineMs = Number(process.env.UNIT_TESTS_DEADLINE_MS) || 20 * 60_000;
const reporter = process.env.CI ? ['--test-reporter=spec'] : [];
const child = spawn(
  process.execPath,
  [
    '--require',
    './test/harness/default-timeouts.cjs',
    '--import',
    'tsx',
    '--test',
    '--test-force-exit',
    ...reporter,
    ...files,
  ],
  { stdio: 'inherit', detached: true, env: { SPECKIT_DEFAULT_TEST_TIMEOUT_MS: '30000', ...process.env } },
);
const killAll = (signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
};
const deadline = setTimeout(() => {
  console.error(`\nunit tests: still running after ${deadlineMs / 60_000} min; killed (UNIT_TESTS_DEADLINE_MS)`);
  killAll('SIGKILL');
}, deadlineMs);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => killAll(signal));
child.on('exit', (code, signal) => {
  clearTimeout(deadline);
  process.exit(code ?? (signal ? 1 : 0));
});
