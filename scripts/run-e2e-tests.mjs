// `npm run test:e2e [-- <file name filter>…]`: browser end-to-end tests. Each test/e2e/*.e2e.ts file is a
// node:test file (run through tsx) that opens the extension in the test VS Code's web workbench with
// test/harness/workbench.ts and drives it with a Playwright page. Screenshots land in test-results/.
// Files run one at a time: each starts its own server and browser, and these machines have two cores.
// Every test has a timeout (its own, else 5 min from test/harness/default-timeouts.cjs), and a file whose
// tests are done exits even if a browser handle stays open (--test-force-exit).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { repoRoot } = require('../test/harness/paths.ts');
const { prepareExtensionRun } = require('../test/harness/preflight.ts');

const filters = process.argv.slice(2);
const e2eDir = join(repoRoot, 'test', 'e2e');
const files = readdirSync(e2eDir)
  .filter((f) => f.endsWith('.e2e.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
  .map((f) => join(e2eDir, f));
if (files.length === 0) {
  console.error('test:e2e: no e2e test files matched');
  process.exit(1);
}

prepareExtensionRun('test:e2e', { desktop: false });
const reporter = process.env.CI ? ['--test-reporter=spec'] : [];
const result = spawnSync(
  process.execPath,
  [
    '--require',
    join(repoRoot, 'test', 'harness', 'default-timeouts.cjs'),
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-force-exit',
    ...reporter,
    ...files,
  ],
  {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { SPECKIT_DEFAULT_TEST_TIMEOUT_MS: String(5 * 60_000), ...process.env },
  },
);
process.exit(result.status ?? 1);
