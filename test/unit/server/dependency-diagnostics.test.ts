import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeTasks } from '../../../src/server/tasks-analysis';

const codes = (text: string): string[] => analyzeTasks(text, { kind: 'missing' }).diagnostics.map((d) => `${d.range.start.line}:${d.code}`);

test('a dependency on an earlier or the same phase is fine; on a later phase it is an error at the reference', () => {
  const text = '## Phase 1: A\n\n- [ ] T001 a (depends on T003)\n- [ ] T002 b\n\n## Phase 2: B\n\n- [ ] T003 c (depends on T001, T002)\n';
  const analysis = analyzeTasks(text, { kind: 'missing' });
  assert.deepEqual(codes(text), ['2:dependency-on-later-phase', '2:dependency-cycle', '7:dependency-cycle']);
  const later = analysis.diagnostics[0];
  assert.deepEqual(later?.range, { start: { line: 2, character: 25 }, end: { line: 2, character: 29 } });
});

test('a cycle is named once per member, in waits-for order from its first task', () => {
  const text = '## Phase 1: A\n\n- [ ] T001 a (depends on T003)\n- [ ] T002 b (depends on T001)\n- [ ] T003 c (depends on T002)\n- [ ] T004 d\n';
  const messages = analyzeTasks(text, { kind: 'missing' }).diagnostics.filter((d) => d.code === 'dependency-cycle').map((d) => d.message);
  assert.equal(messages.length, 3);
  for (const m of messages) assert.match(m, /T001 → T003 → T002 → T001/);
});

test('a chain of 5,000 dependencies has no cycle and does not overflow the stack', () => {
  const lines = ['## Phase 1: A', ''];
  for (let i = 1; i <= 5000; i++) lines.push(`- [ ] T${String(i).padStart(4, '0')} step${i > 1 ? ` (depends on T${String(i - 1).padStart(4, '0')})` : ''}`);
  assert.deepEqual(codes(lines.join('\n')), []);
});
