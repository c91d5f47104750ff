import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { projectRootOf, resolveTaskPath } from '../../../src/server/project-paths';

test('the project root is the folder holding specs/', () => {
  assert.equal(projectRootOf(join('/w', 'app', 'specs', '001-x', 'tasks.md')), join('/w', 'app'));
  assert.equal(projectRootOf(join('/w', 'specs', 'nested', '001-x', 'tasks.md')), '/w');
  assert.equal(
    projectRootOf(join('/w', 'notes', 'tasks.md')),
    join('/w', 'notes'),
    'without specs/, the file’s folder',
  );
});

test('task paths resolve against the root; climbing out or absolute elsewhere is outside', () => {
  assert.deepEqual(resolveTaskPath('/w/app', 'src/a.ts'), { kind: 'inside', absolute: '/w/app/src/a.ts' });
  assert.deepEqual(resolveTaskPath('/w/app', './src/../b.ts'), { kind: 'inside', absolute: '/w/app/b.ts' });
  assert.deepEqual(resolveTaskPath('/w/app', '../other/a.ts'), { kind: 'outside', absolute: '/w/other/a.ts' });
  assert.deepEqual(resolveTaskPath('/w/app', '/etc/passwd'), { kind: 'outside', absolute: '/etc/passwd' });
  assert.deepEqual(resolveTaskPath('/w/app', '..'), { kind: 'outside', absolute: '/w' });
});
