import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ABSENT, followFile, type FileEvent } from '../../../src/core/evidence/file-history';

const edit = (before: string, after: string, inDoubt = false): FileEvent => ({
  kind: 'edit',
  runId: 'r2',
  proposalId: `${before}-${after}`,
  taskKey: 'T009',
  before,
  after,
  inDoubt,
  at: '2030-01-01T00:00:00.000Z',
});
const rollback = (restored: string, written: string, forced: boolean): FileEvent => ({
  kind: 'rollback',
  runId: 'r2',
  proposalId: `${restored}-${written}`,
  taskKey: 'T009',
  restored,
  written,
  forced,
  at: '2030-01-01T00:00:01.000Z',
});

test('the file still has the task’s post-image: holds, whatever happened in between', () => {
  assert.equal(followFile([edit('A', 'B'), edit('X', 'Y')], 0, 'B', 'B').kind, 'holds');
});

test('later run edits that start from what was there: holds; an in-doubt edit allows both of its sides', () => {
  const events = [edit('A', 'B'), edit('B', 'C'), edit('C', 'D', true)];
  assert.equal(followFile(events, 0, 'B', 'D').kind, 'holds');
  assert.equal(followFile(events, 0, 'B', 'C').kind, 'holds');
  const verdict = followFile(events, 0, 'B', 'E');
  assert.equal(verdict.kind, 'broken');
  if (verdict.kind === 'broken') assert.equal(verdict.break.kind, 'outside-change');
});

test('a later edit that found another content: the change happened outside any run, before it', () => {
  const verdict = followFile([edit('A', 'B'), edit('B2', 'C')], 0, 'B', 'C');
  assert.equal(verdict.kind, 'broken');
  if (verdict.kind === 'broken' && verdict.break.kind === 'outside-change') {
    assert.equal(verdict.break.expected, 'B');
    assert.equal(verdict.break.found, 'B2');
    assert.equal(verdict.break.before?.taskKey, 'T009');
  }
});

test('a rollback of a later edit brings the task’s content back; a forced one over another run’s work breaks it', () => {
  assert.equal(followFile([edit('A', 'B'), edit('B', 'C'), rollback('B', 'C', false)], 0, 'B', 'B').kind, 'holds');
  const events = [edit('A', 'B'), edit('B', 'C'), edit('C', 'D'), rollback('B', 'C', true)];
  const fromD = followFile(events, 2, 'D', 'B');
  assert.equal(fromD.kind, 'broken');
  if (fromD.kind === 'broken') assert.equal(fromD.break.kind, 'forced-rollback');
  assert.equal(followFile(events, 0, 'B', 'B').kind, 'holds', 'the earlier task’s content is what the file holds');
});

test('a deleted file and a file the task deleted', () => {
  assert.equal(followFile([edit('A', ABSENT)], 0, ABSENT, ABSENT).kind, 'holds');
  const verdict = followFile([edit('A', 'B')], 0, 'B', ABSENT);
  assert.equal(verdict.kind, 'broken');
});
