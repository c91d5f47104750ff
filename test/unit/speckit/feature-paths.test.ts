import { test } from 'node:test';
import assert from 'node:assert/strict';
import picomatch from 'picomatch/posix';
import {
  FEATURE_DOCUMENT_GLOBS,
  featureDocumentGlob,
  featureDocumentKind,
  type FeatureDocumentKind,
} from '../../../src/core/speckit/feature-paths';

/** Paths and what they are: features at `specs/<feature>/`, grouped ones one level down, the lone `.specify/`. */
const CASES: readonly [string, FeatureDocumentKind | undefined][] = [
  ['specs/001-login/tasks.md', 'tasks'],
  ['specs/001-login/spec.md', 'spec'],
  ['specs/001-login/plan.md', 'plan'],
  ['specs/payments/004-refunds/tasks.md', 'tasks'],
  ['specs/payments/004-refunds/spec.md', 'spec'],
  ['specs/payments/004-refunds/plan.md', 'plan'],
  ['/home/me/app/specs/001-login/tasks.md', 'tasks'],
  ['/home/me/app/specs/payments/004-refunds/tasks.md', 'tasks'],
  ['.specify/specs/001-login/tasks.md', 'tasks'],
  ['.specify/specs/001-login/spec.md', 'spec'],
  ['.specify/tasks.md', 'tasks'],
  ['/home/me/app/.specify/tasks.md', 'tasks'],
  // Not a feature's document: the wrong name, the wrong depth, no feature folder, another folder.
  ['specs/001-login/research.md', undefined],
  ['specs/001-login/tasks.md.bak', undefined],
  ['specs/001-login/contracts/api/tasks.md', undefined],
  ['specs/tasks.md', undefined],
  ['tasks.md', undefined],
  ['docs/001-login/tasks.md', undefined],
  ['myspecs/001-login/tasks.md', undefined],
  ['.specify/spec.md', undefined],
  ['.specify/memory/tasks.md', undefined],
];

test('featureDocumentKind: plain and grouped features, the lone .specify task list, and nothing else', () => {
  for (const [path, kind] of CASES) assert.equal(featureDocumentKind(path), kind, path);
});

test('featureDocumentKind: Windows separators; case only when asked', () => {
  assert.equal(featureDocumentKind('C:\\app\\specs\\payments\\004-refunds\\tasks.md'), 'tasks');
  assert.equal(featureDocumentKind('specs\\001-login\\plan.md'), 'plan');
  assert.equal(featureDocumentKind('Specs/001-login/TASKS.md'), undefined);
  assert.equal(featureDocumentKind('Specs/001-login/TASKS.md', { caseInsensitive: true }), 'tasks');
  assert.equal(featureDocumentKind('.SPECIFY/Tasks.md', { caseInsensitive: true }), 'tasks');
});

test('the globs say what the function says, path for path (watchers and selectors see the same files)', () => {
  const kinds = Object.keys(FEATURE_DOCUMENT_GLOBS) as FeatureDocumentKind[];
  for (const kind of kinds) {
    const matches = picomatch([...FEATURE_DOCUMENT_GLOBS[kind]], { dot: true });
    for (const [path, expected] of CASES) {
      for (const spelt of [path, `workspace/${path}`]) {
        assert.equal(matches(spelt.replace(/^\/+/, '')), expected === kind, `${kind} glob on ${spelt}`);
      }
    }
  }
});

test('featureDocumentGlob: one brace glob over the kinds asked for', () => {
  const specAndTasks = picomatch(featureDocumentGlob(['spec', 'tasks']), { dot: true });
  for (const [path, kind] of CASES) {
    for (const spelt of [path.replace(/^\/+/, ''), `workspace/${path}`]) {
      assert.equal(specAndTasks(spelt), kind === 'spec' || kind === 'tasks', spelt);
    }
  }
  assert.equal(featureDocumentGlob(['tasks']), '**/{specs/*/tasks.md,specs/*/*/tasks.md,.specify/tasks.md}');
});
