import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import {
  setTaskDone,
  setTaskDoneInBytes,
  taskRefOf,
  writeTaskDone,
  writeTasksDone,
} from '../../../src/core/speckit/tasks-writer';
import { ownFixture, ownFixtureNames, realFixturesDir, realTaskFixtureNames } from './tasks-fixture-helpers';

const signal = new AbortController().signal;

function tickAll(text: string): void {
  const doc = parseTasks(text);
  for (const t of doc.tasks) {
    const ticked = setTaskDone(text, taskRefOf(t), !t.done);
    const unique = doc.tasks.filter((o) => o.id === t.id && o.lineText === t.lineText).length === 1;
    if (!unique) {
      assert.equal(ticked.ok, false);
      continue;
    }
    assert.ok(ticked.ok, `${t.key}: ${ticked.ok ? '' : ticked.reason}`);
    assert.equal(ticked.text.length, text.length);
    assert.equal(ticked.offset, t.checkbox.offset);
    const back = setTaskDone(ticked.text, taskRefOf(t), t.done);
    assert.ok(back.ok);
    if (t.checkbox.mark !== 'x') assert.equal(back.text, text, `${t.key} round trip`);
  }
  assert.equal(doc.text, text, 'parse never mutates');
}

test('ticking changes only the checkbox character', () => {
  const text = '## Phase 1: A\r\n- [ ] T001 One  \r\n- [ ] T002 Two';
  const doc = parseTasks(text);
  const t2 = doc.tasks[1];
  assert.ok(t2);
  const result = setTaskDone(text, taskRefOf(t2), true);
  assert.deepEqual(result, {
    ok: true,
    text: '## Phase 1: A\r\n- [ ] T001 One  \r\n- [X] T002 Two',
    changed: true,
    line: 2,
    offset: t2.checkbox.offset,
  });
  const again = setTaskDone(text.replace('[ ] T002', '[x] T002'), taskRefOf(t2), true);
  assert.ok(again.ok && !again.changed, 'already done: untouched, lowercase x kept');
});

test('finds a moved line, refuses an edited one, a vanished one and an ambiguous one', () => {
  const text = '## Phase 1\n- [ ] T001 One\n- [ ] T002 Two\n';
  const t2 = parseTasks(text).tasks[1];
  assert.ok(t2);
  const ref = taskRefOf(t2);
  const moved = setTaskDone(`# Title\n\nintro\n${text}`, ref, true);
  assert.ok(moved.ok);
  assert.equal(moved.line, 5);
  const edited = setTaskDone(text.replace('T002 Two', 'T002 Two, edited'), ref, true);
  assert.equal(edited.ok, false);
  assert.equal(edited.ok ? '' : edited.code, 'changed');
  assert.match(edited.ok ? '' : edited.reason, /was "T002 Two", now line 3: "T002 Two, edited"/);
  const gone = setTaskDone(text.replace('- [ ] T002 Two\n', ''), ref, true);
  assert.equal(gone.ok ? '' : gone.code, 'not-found');
  const twice = setTaskDone(`${text}- [ ] T002 Two\n`, { id: 'T002', lineText: 'T002 Two' }, true);
  assert.equal(twice.ok ? '' : twice.code, 'ambiguous');
  const tie = setTaskDone(`${text}- [ ] T002 Two\n`, ref, true);
  assert.ok(tie.ok && tie.line === 2, 'the remembered line breaks a tie');
  const fenced = setTaskDone('```\n- [ ] T001 One\n```\n', { id: 'T001', lineText: 'T001 One' }, true);
  assert.equal(fenced.ok ? '' : fenced.code, 'not-found', 'fenced copies are never touched');
});

test('every own fixture round-trips byte-identical through tick and untick', () => {
  for (const name of ownFixtureNames()) tickAll(ownFixture(name));
});

test('every real fixture round-trips byte-identical', (t) => {
  const names = realTaskFixtureNames();
  if (names === undefined) {
    t.skip('../shared/fixtures/real-tasks is not present');
    return;
  }
  for (const name of names) tickAll(readFileSync(path.join(realFixturesDir, name), 'utf8'));
});

test('writeTaskDone writes atomically, keeps every other byte, refuses edits made meanwhile', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tasks-writer-'));
  try {
    const file = path.join(dir, 'tasks.md');
    const original = Buffer.from('\ufeff## Phase 1: É\r\n- [ ] T001 Café ☕  \r\n- [ ] T002 Next', 'utf8');
    await writeFile(file, original);
    const doc = parseTasks(original.toString('utf8'));
    assert.equal(doc.hasBom, true);
    const t1 = doc.tasks[0];
    assert.ok(t1);
    const result = await writeTaskDone(file, taskRefOf(t1), true, signal);
    assert.deepEqual(result, { ok: true, changed: true, line: 1 });
    const after = await readFile(file);
    assert.equal(after.length, original.length);
    const diff = [...after].flatMap((b, i) => (b === original[i] ? [] : [i]));
    assert.equal(diff.length, 1);
    assert.equal(after.toString('utf8'), original.toString('utf8').replace('[ ] T001', '[X] T001'));
    const undo = await writeTaskDone(file, taskRefOf(t1), false, signal);
    assert.ok(undo.ok);
    assert.deepEqual(await readFile(file), original);

    await writeFile(file, original.toString('utf8').replace('T001 Café', 'T001 Tea'));
    const refused = await writeTaskDone(file, taskRefOf(t1), true, signal);
    assert.equal(refused.ok ? '' : refused.code, 'changed');
    const missing = await writeTaskDone(path.join(dir, 'nope.md'), taskRefOf(t1), true, signal);
    assert.equal(missing.ok ? '' : missing.code, 'unreadable');
    await writeFile(file, Buffer.from([0x2d, 0x20, 0x5b, 0x20, 0x5d, 0x20, 0xff, 0x0a]));
    const binary = await writeTaskDone(file, taskRefOf(t1), true, signal);
    assert.equal(binary.ok ? '' : binary.code, 'not-utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// Random documents from the fragments tasks.md files are made of.
const fragment = fc.oneof(
  fc
    .record({
      id: fc.integer({ min: 1, max: 60 }),
      mark: fc.constantFrom(' ', 'x', 'X'),
      bullet: fc.constantFrom('-', '*', '1.'),
      p: fc.boolean(),
      indent: fc.constantFrom('', '  '),
    })
    .map((r) => ({
      kind: 'task' as const,
      text: `${r.indent}${r.bullet} [${r.mark}] T${String(r.id).padStart(3, '0')}${r.p ? ' [P]' : ''} Do thing ${r.id} in src/f${r.id % 7}.ts`,
    })),
  fc
    .constantFrom(
      '## Phase 1: Setup',
      '## Phase 2: User Story 1 - Title (Priority: P1) 🎯 MVP',
      '### Tests for User Story 1',
      '## Notes',
      '# Tasks',
    )
    .map((text) => ({ kind: 'other' as const, text })),
  fc
    .constantFrom(
      '',
      'Some prose, T001 blocks T002.',
      '  - a sub bullet   ',
      '- [ ] checklist item',
      '| a | [x] |',
      'émoji 🎉 text\t',
    )
    .map((text) => ({ kind: 'other' as const, text })),
  fc.constantFrom('```', '~~~', '```bash').map((text) => ({ kind: 'fence' as const, text })),
);
const documentArb = fc.record({
  parts: fc.array(fragment, { maxLength: 40 }),
  eol: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  finalEol: fc.boolean(),
});

test('property: ticking changes exactly one character, at the checkbox; tick then untick is identity', () => {
  fc.assert(
    fc.property(documentArb, ({ parts, eol, bom, finalEol }) => {
      const text = (bom ? '\ufeff' : '') + parts.map((p) => p.text).join(eol) + (finalEol ? eol : '');
      const doc = parseTasks(text);
      for (const t of doc.tasks) {
        const result = setTaskDone(text, taskRefOf(t), !t.done);
        const twins = doc.tasks.filter((o) => o.id === t.id && o.lineText === t.lineText);
        if (twins.length > 1) continue;
        if (!result.ok) return false;
        if (result.text.length !== text.length) return false;
        let changed = 0;
        for (let i = 0; i < text.length; i += 1)
          if (text[i] !== result.text[i]) changed += i === t.checkbox.offset ? 1 : 100;
        if (changed !== 1) return false;
        const back = setTaskDone(result.text, taskRefOf(t), t.done);
        if (!back.ok) return false;
        if (t.checkbox.mark !== 'x' && back.text !== text) return false;
      }
      return true;
    }),
    { numRuns: 300 },
  );
});

test('property: task lines inside fences are never tasks and never touched', () => {
  fc.assert(
    fc.property(documentArb, fc.integer({ min: 1, max: 60 }), ({ parts, eol }, id) => {
      const tid = `T${String(id).padStart(3, '0')}`;
      const fencedLine = `- [ ] ${tid} fenced ${id}`;
      const text = [...parts.filter((p) => p.kind !== 'fence').map((p) => p.text), '```', fencedLine, '```'].join(eol);
      const doc = parseTasks(text);
      if (doc.tasks.some((t) => t.lineText === `${tid} fenced ${id}`)) return false;
      const result = setTaskDone(text, { id: tid, lineText: `${tid} fenced ${id}` }, true);
      return !result.ok;
    }),
    { numRuns: 200 },
  );
});

test('property: the byte-level tick agrees with the text-level one (BOM, CRLF, emoji, fences, duplicates)', () => {
  fc.assert(
    fc.property(documentArb, fc.boolean(), ({ parts, eol, bom, finalEol }, done) => {
      const text = (bom ? '\ufeff' : '') + parts.map((p) => p.text).join(eol) + (finalEol ? eol : '');
      for (const t of parseTasks(text).tasks) {
        const ref = taskRefOf(t);
        const expected = setTaskDone(text, ref, done);
        const bytes = Buffer.from(text, 'utf8');
        const actual = setTaskDoneInBytes(bytes, ref, done);
        assert.equal(actual.ok, expected.ok);
        if (!actual.ok || !expected.ok) {
          assert.equal(actual.ok ? '' : actual.code, expected.ok ? '' : expected.code);
          continue;
        }
        assert.equal(actual.changed, expected.changed);
        assert.equal(actual.line, expected.line);
        assert.equal(bytes.toString('utf8'), expected.text, 'only the mark byte changed, in place');
      }
    }),
    { numRuns: 300 },
  );
  assert.equal(
    setTaskDoneInBytes(Buffer.from([0x2d, 0x20, 0x5b, 0x20, 0x5d, 0x20, 0xff]), { id: 'T001', lineText: '' }, true).ok,
    false,
    'not UTF-8',
  );
});

test('writeTasksDone ticks several tasks in one write; a refused one does not keep the others from their tick', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tasks-writer-'));
  try {
    const file = path.join(dir, 'tasks.md');
    const text = '## Phase 1\n- [ ] T001 [P] One\n- [ ] T002 [P] Two\n- [x] T003 [P] Three\n- [ ] T004 Four\n';
    await writeFile(file, text);
    const doc = parseTasks(text);
    const [t1, t2, t3, t4] = doc.tasks;
    assert.ok(t1 && t2 && t3 && t4);
    // T004's line was edited since it was read: that one is refused, the others are ticked together.
    await writeFile(file, text.replace('T004 Four', 'T004 Five'));
    const results = await writeTasksDone(file, [t1, t2, t3, t4].map(taskRefOf), true, signal);
    assert.deepEqual(results.slice(0, 3), [
      { ok: true, changed: true, line: 1 },
      { ok: true, changed: true, line: 2 },
      { ok: true, changed: false, line: 3 },
    ]);
    assert.equal(results[3]?.ok ? '' : results[3]?.code, 'changed');
    assert.equal(
      await readFile(file, 'utf8'),
      '## Phase 1\n- [X] T001 [P] One\n- [X] T002 [P] Two\n- [x] T003 [P] Three\n- [ ] T004 Five\n',
    );
    const gone = await writeTasksDone(path.join(dir, 'nope.md'), [t1, t2].map(taskRefOf), true, signal);
    assert.deepEqual(
      gone.map((r) => (r.ok ? '' : r.code)),
      ['unreadable', 'unreadable'],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
