// Node 20's test runner takes no globs: find the unit test files ourselves and hand them over.
// Extra arguments (e.g. a file filter) narrow the list: `npm run test:unit -- parser`.
import { spawnSync } from 'node:child_process';
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
const reporter = process.env.CI ? ['--test-reporter=spec'] : [];
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...reporter, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
