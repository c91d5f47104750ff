import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRunPhaseArgs, parseRunTaskArgs, parseTaskStatusParams } from '../../../src/protocol/lsp-messages';

test('command arguments are read from unknown values, and refused when malformed', () => {
  assert.deepEqual(parseRunTaskArgs({ uri: 'file:///t.md', taskId: 'T001', extra: 1 }), { uri: 'file:///t.md', taskId: 'T001' });
  assert.equal(parseRunTaskArgs({ uri: 'file:///t.md' }), undefined);
  assert.equal(parseRunTaskArgs('T001'), undefined);
  assert.deepEqual(parseRunPhaseArgs({ uri: 'u', phaseIndex: 2, phaseTitle: 'Setup' }), { uri: 'u', phaseIndex: 2, phaseTitle: 'Setup' });
  assert.equal(parseRunPhaseArgs({ uri: 'u', phaseIndex: 1.5, phaseTitle: 'Setup' }), undefined);
});

test('task status notifications keep the entries they can read and drop the rest', () => {
  const parsed = parseTaskStatusParams({
    uri: 'u',
    runId: 'r',
    tasks: [
      { taskId: 'T001', status: 'done', workerId: 'w1', role: 'code-writer', at: 'now' },
      { taskId: 'T002', status: 'exploded', at: 'now' },
      { taskId: 'T003', status: 'failed', role: 'astronaut', message: 'tests red', at: 'now' },
      null,
    ],
  });
  assert.deepEqual(parsed, {
    uri: 'u',
    runId: 'r',
    tasks: [
      { taskId: 'T001', status: 'done', workerId: 'w1', role: 'code-writer', at: 'now' },
      { taskId: 'T003', status: 'failed', message: 'tests red', at: 'now' },
    ],
  });
  assert.equal(parseTaskStatusParams({ uri: 'u', tasks: [] }), undefined);
});
