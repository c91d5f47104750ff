import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markdownLines } from '../../../src/core/speckit/markdown-lines';

test('line endings, BOM and fences follow CommonMark', () => {
  const lines = markdownLines(
    '\uFEFFa\r\n```ts\r\n- [ ] x\r\n~~~\r\n``\r\n````\r\nb\rc\n~~~~\nin\n~~~\nstill\n~~~~\nout\n',
  );
  assert.deepEqual(
    lines.map((l) => [l.line, l.text, l.inFence]),
    [
      [1, 'a', false],
      [2, '```ts', true],
      [3, '- [ ] x', true],
      [4, '~~~', true],
      [5, '``', true],
      [6, '````', true],
      [7, 'b', false],
      [8, 'c', false],
      [9, '~~~~', true],
      [10, 'in', true],
      [11, '~~~', true],
      [12, 'still', true],
      [13, '~~~~', true],
      [14, 'out', false],
    ],
  );
  assert.deepEqual(markdownLines(''), [{ line: 1, text: '', inFence: false }]);
  assert.equal(
    markdownLines('``` not `a fence`\nx').every((l) => !l.inFence),
    true,
  );
});
