import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { columns, matchCheckboxLine } from '../../../src/core/speckit/tasks-line';

// The checkbox grammar as a regular expression: `matchCheckboxLine` scans by hand and must agree with it.
const CHECKBOX = /^([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX])\](?=[ \t]|$)/;

function byRegex(line: string) {
  const m = CHECKBOX.exec(line);
  if (m === null) return undefined;
  let contentStart = m[0].length;
  while (contentStart < line.length && (line[contentStart] === ' ' || line[contentStart] === '\t')) contentStart += 1;
  return { indent: columns(m[1] ?? ''), bracketStart: m[0].length - 3, mark: m[2], contentStart };
}

test('matchCheckboxLine: bullets, ordered markers, marks, indentation and what follows the brackets', () => {
  assert.deepEqual(matchCheckboxLine('- [ ] T001 a'), { indent: 0, bracketStart: 2, mark: ' ', contentStart: 6 });
  assert.deepEqual(matchCheckboxLine('\t  * [X]\tdone'), { indent: 6, bracketStart: 5, mark: 'X', contentStart: 9 });
  assert.deepEqual(matchCheckboxLine('123456789) [x]'), { indent: 0, bracketStart: 11, mark: 'x', contentStart: 14 });
  for (const notOne of [
    '1234567890. [ ] ten digits',
    '-[ ] a',
    '- [ ]a',
    '- []',
    '- [ x]',
    '[ ] T001',
    'a - [ ] b',
    '- [y] b',
  ]) {
    assert.equal(matchCheckboxLine(notOne), undefined, notOne);
  }
});

test('property: matchCheckboxLine agrees with the checkbox grammar on any line of its alphabet', () => {
  const alphabet = fc.constantFrom(' ', '\t', '-', '*', '+', '0', '1', '9', '.', ')', '[', ']', 'x', 'X', 'T', 'a');
  const text = (unit: fc.Arbitrary<string>, maxLength: number) =>
    fc.array(unit, { maxLength }).map((chars) => chars.join(''));
  const blanks = (maxLength: number) => text(fc.constantFrom(' ', '\t'), maxLength);
  // Mostly near-checkboxes (each part right or slightly wrong), some free-form lines.
  const nearCheckbox = fc
    .tuple(
      blanks(6),
      fc.oneof(
        fc.constantFrom('-', '*', '+', '', '--'),
        fc.tuple(text(fc.constantFrom('1', '0', '9'), 11), fc.constantFrom('.', ')', '')).map(([d, m]) => d + m),
      ),
      blanks(2),
      fc.constantFrom('[ ]', '[x]', '[X]', '[]', '[y]', '[  ]', '['),
      text(alphabet, 4),
    )
    .map((parts) => parts.join(''));
  fc.assert(
    fc.property(
      fc.oneof({ arbitrary: nearCheckbox, weight: 4 }, { arbitrary: text(alphabet, 24), weight: 1 }),
      (line) => {
        assert.deepEqual(matchCheckboxLine(line), byRegex(line), JSON.stringify(line));
      },
    ),
    { numRuns: 20_000 },
  );
});
