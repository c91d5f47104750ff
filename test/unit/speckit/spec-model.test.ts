import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSpec } from '../../../src/core/speckit/spec-model';
import { fixtureProjectsDir } from './fixture-projects';

const realDir = resolve(__dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'real-tasks');
const skipReal = existsSync(realDir) ? false : `real-world fixtures not found at ${realDir}`;

test('user stories: number, label, title, priority (in the heading or below it), line; fenced examples ignored', () => {
  const file = join(fixtureProjectsDir, 'numbered', 'specs', '001-user-auth', 'spec.md');
  const spec = parseSpec(readFileSync(file, 'utf8'), file);
  assert.equal(spec.title, 'User Authentication');
  assert.deepEqual(spec.userStories, [
    { number: 1, label: 'US1', title: 'Sign in with email', priority: 'P1', line: 5, description: 'A user signs in.' },
    {
      number: 2,
      label: 'US2',
      title: 'Reset a password',
      priority: 'P2',
      line: 9,
      description: 'A user resets a forgotten password.',
    },
    { number: 3, label: 'US3', title: 'Remember the device', priority: 'P3', line: 13 },
  ]);
  assert.deepEqual(
    spec.functionalRequirements.map((r) => [r.id, r.line]),
    [
      ['FR-001', 26],
      ['FR-002', 27],
      ['FR-003', 28],
      ['FR-003a', 29],
      ['FR-002', 31],
    ],
  );
  assert.equal(spec.functionalRequirements[0]?.text, 'System MUST let users sign in with email and password');
  assert.deepEqual(
    spec.successCriteria.map((r) => r.id),
    ['SC-001', 'SC-002'],
  );
  assert.deepEqual(
    spec.diagnostics.map((d) => [d.code, d.line]),
    [['spec-duplicate-id', 31]],
  );
  assert.deepEqual(spec.duplicates, [{ id: 'FR-002', line: 31, firstLine: 27 }]);
});

test('heading variants: brackets, bold, en dash, no priority, CRLF', () => {
  const text = '## **User Story 4** — Export [P2]\r\n### Story 5: Import\r\n#### US6 - Audit (P3)\r\n';
  assert.deepEqual(
    parseSpec(text, 's.md').userStories.map((s) => [s.label, s.title, s.priority]),
    [
      ['US4', 'Export', 'P2'],
      ['US5', 'Import', undefined],
      ['US6', 'Audit', 'P3'],
    ],
  );
});

test('real spec.md files: every story heading and FR/SC definition is found', { skip: skipReal }, () => {
  const expected: Record<string, [stories: number, fr: number, sc: number]> = {
    'GutMutCode__spec-life__002-ui.spec.md': [2, 12, 7],
    'sheenalunatics__kb_speckit_demo__001-kanban-board.spec.md': [7, 30, 10],
  };
  for (const [name, [stories, fr, sc]] of Object.entries(expected)) {
    const text = readFileSync(join(realDir, name), 'utf8');
    const spec = parseSpec(text, name);
    assert.equal(spec.userStories.length, stories, name);
    assert.equal(spec.userStories.length, (text.match(/^### User Story \d+/gm) ?? []).length, name);
    assert.ok(
      spec.userStories.every((s) => /^P\d$/.test(s.priority ?? '')),
      name,
    );
    assert.equal(spec.functionalRequirements.length, fr, name);
    assert.equal(spec.successCriteria.length, sc, name);
    assert.deepEqual(spec.diagnostics, [], name);
  }
});
