// Paths as their authors meant them: only a path that truly leads outside the project is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { outsidePathDiagnostics, placeOfTaskPath } from '../../../src/core/speckit/task-path-resolution';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import { textAt } from './tasks-fixture-helpers';

const root = join('/', 'work', 'shop');
const context = (existing: readonly string[] = []) => ({
  projectRoot: root,
  tasksPath: join(root, 'specs', '001-recipes', 'tasks.md'),
  exists: async (absolute: string) => existing.includes(absolute),
});

test("a link relative to the tasks file's folder stays in the project; one that climbs out of it does not", async () => {
  assert.equal(await placeOfTaskPath('../../src/x.ts', context()), 'inside', 'specs/001-recipes/../../src/x.ts');
  assert.equal(await placeOfTaskPath('../shared/spec.md', context()), 'inside');
  assert.equal(await placeOfTaskPath('../../../secrets.env', context()), 'outside');
  assert.equal(await placeOfTaskPath('src/../lib/a.ts', context()), 'inside');
});

test('an absolute path: a URL path or a path from the project root is no warning; a real file outside is', async () => {
  assert.equal(await placeOfTaskPath('/recipes/index.json', context()), 'unknown', 'nothing on disk: a URL path');
  assert.equal(await placeOfTaskPath('/src/app.ts', context([join(root, 'src', 'app.ts')])), 'inside');
  assert.equal(await placeOfTaskPath('/etc/hosts', context(['/etc/hosts'])), 'outside');
  assert.equal(await placeOfTaskPath(join(root, 'src', 'a.ts'), context()), 'inside', 'the project written in full');
  assert.equal(await placeOfTaskPath('~/notes.md', context()), 'outside');
  assert.equal(await placeOfTaskPath('C:\\Users\\me\\a.ts', context()), 'outside');
  assert.equal(await placeOfTaskPath('src/models/user.ts', context()), 'inside');
});

test('path-outside-workspace: one diagnostic on each path that truly leads outside, on the path itself', async () => {
  const doc = parseTasks(
    [
      '## Phase 1: A',
      '- [ ] T001 Read `/etc/hosts.conf` and ../../../secrets.env, write src/ok.ts and [the page](../../web/page.tsx)',
      '  - Files: ~/notes.md, /recipes/index.json',
    ].join('\n'),
  );
  const outside = await outsidePathDiagnostics(doc, context(['/etc/hosts.conf']));
  assert.deepEqual(
    outside.map((d) => [d.code, d.severity, d.range.start.line, textAt(doc, d.range), d.taskKey]),
    [
      ['path-outside-workspace', 'warning', 1, '/etc/hosts.conf', 'T001'],
      ['path-outside-workspace', 'warning', 1, '../../../secrets.env', 'T001'],
      ['path-outside-workspace', 'warning', 2, '~/notes.md', 'T001'],
    ],
  );
  assert.match(outside[0]?.message ?? '', /T001 names \/etc\/hosts\.conf, which is outside the workspace/);
});
