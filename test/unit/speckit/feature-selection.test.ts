import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { discoverProjects } from '../../../src/core/speckit/project-discovery';
import {
  selectFeature,
  type FeatureSelection,
  type SelectionInputs,
} from '../../../src/core/speckit/feature-selection';
import { copyFixtureProject } from './fixture-projects';

const signal = new AbortController().signal;

async function select(
  t: { after: (fn: () => Promise<void>) => void },
  fixture: string,
  inputs: Partial<SelectionInputs> = {},
): Promise<{ selection: FeatureSelection; root: string }> {
  const fx = await copyFixtureProject(fixture);
  t.after(fx.dispose);
  return { selection: await selectIn(fx.root, inputs), root: fx.root };
}

async function selectIn(root: string, inputs: Partial<SelectionInputs> = {}): Promise<FeatureSelection> {
  const { projects } = await discoverProjects([root], { signal });
  return selectFeature(projects, { env: {}, cwd: root, ...inputs }, signal);
}

function chosen(selection: FeatureSelection): [string, string, string] {
  assert.equal(
    selection.kind,
    'selected',
    JSON.stringify(selection.kind === 'selected' ? selection.rule : selection.reason),
  );
  return [selection.feature.id, selection.rule, selection.detail];
}

function ids(selection: FeatureSelection): string[] {
  assert.notEqual(selection.kind, 'selected');
  return selection.kind === 'selected' ? [] : selection.candidates.map((f) => f.id);
}

test('an argument names a feature by id, prefix, slug or path', async (t) => {
  const fx = await copyFixtureProject('numbered');
  t.after(fx.dispose);
  for (const argument of [
    '002-payment-integration',
    '002',
    '2',
    'payment-integration',
    'specs/002-payment-integration',
    join(fx.root, 'specs', '002-payment-integration', 'tasks.md'),
  ]) {
    const [id, rule] = chosen(await selectIn(fx.root, { argument }));
    assert.deepEqual([id, rule], ['002-payment-integration', 'argument'], argument);
  }
  const relative = await selectIn(fx.root, { argument: './tasks.md', cwd: join(fx.root, 'specs', '001-user-auth') });
  assert.equal(chosen(relative)[0], '001-user-auth');
});

test('4-digit and timestamp prefixes select by argument', async (t) => {
  assert.equal(chosen((await select(t, 'four-digit', { argument: '1002' })).selection)[0], '1002-export');
  assert.equal(
    chosen((await select(t, 'timestamped', { argument: '20250101-093000' })).selection)[0],
    '20250101-093000-login-page',
  );
  assert.equal(chosen((await select(t, 'timestamped', { argument: 'logout' })).selection)[0], '20250102-101500-logout');
  assert.equal(chosen((await select(t, 'lone-specify-tasks', { argument: '.specify' })).selection)[0], '.specify');
});

test('an argument matching nothing is not-found with every candidate, never a fallback', async (t) => {
  const { selection } = await select(t, 'feature-json', { argument: '009-missing' });
  assert.equal(selection.kind, 'not-found');
  assert.match(selection.kind === 'not-found' ? selection.reason : '', /argument '009-missing' matches no feature/);
  assert.deepEqual(ids(selection), ['001-alpha', '002-beta']);
  // A wrong slug behind a right prefix is not the feature.
  assert.equal((await select(t, 'numbered', { argument: '002-payments' })).selection.kind, 'not-found');
});

test('an argument matching two folders is ambiguous and lists them', async (t) => {
  const { selection } = await select(t, 'ambiguous', { argument: '003' });
  assert.equal(selection.kind, 'ambiguous');
  assert.deepEqual(ids(selection), ['003-payment-integration', '003-payment-refunds']);
});

test('SPECIFY_FEATURE_DIRECTORY beats feature.json; feature.json beats SPECIFY_FEATURE and the branch', async (t) => {
  const env = { SPECIFY_FEATURE_DIRECTORY: 'specs/001-alpha', SPECIFY_FEATURE: '001-alpha' };
  assert.deepEqual(chosen((await select(t, 'feature-json', { env })).selection).slice(0, 2), [
    '001-alpha',
    'env-feature-directory',
  ]);
  const { selection, root } = await select(t, 'feature-json', { env: { SPECIFY_FEATURE: '001-alpha' } });
  assert.deepEqual(chosen(selection).slice(0, 2), ['002-beta', 'feature-json']);
  const absolute = { SPECIFY_FEATURE_DIRECTORY: join(root, 'specs', '001-alpha') };
  assert.equal(chosen(await selectIn(root, { env: absolute }))[0], '001-alpha');
  const stale = await selectIn(root, { env: { SPECIFY_FEATURE_DIRECTORY: 'specs/404-gone' } });
  assert.equal(stale.kind, 'not-found');
});

test('a malformed feature.json is reported, not skipped', async (t) => {
  const { selection } = await select(t, 'bad-config');
  assert.equal(selection.kind, 'not-found');
  assert.match(selection.kind === 'not-found' ? selection.reason : '', /feature\.json is malformed: not JSON/);
});

test('SPECIFY_FEATURE selects by name or prefix before the branch', async (t) => {
  const { selection } = await select(t, 'git-branch', { env: { SPECIFY_FEATURE: '003-reports' } });
  assert.deepEqual(chosen(selection).slice(0, 2), ['003-reports', 'env-feature']);
});

test('the git branch selects by prefix, also under a folder-style name; a .git file points to a worktree', async (t) => {
  assert.deepEqual(chosen((await select(t, 'git-branch')).selection), [
    '004-exports',
    'git-branch',
    "git branch 'feat/004-exports-csv'",
  ]);
  assert.deepEqual(chosen((await select(t, 'worktree')).selection).slice(0, 2), ['003-reports', 'git-branch']);
});

test('a detached HEAD or a branch naming no feature falls through to "caller chooses"', async (t) => {
  const fx = await copyFixtureProject('git-branch');
  t.after(fx.dispose);
  await writeFile(join(fx.root, '.git', 'HEAD'), 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3\n');
  const detached = await selectIn(fx.root);
  assert.equal(detached.kind, 'ambiguous');
  assert.deepEqual(ids(detached), ['003-reports', '004-exports']);
  await writeFile(join(fx.root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  assert.equal((await selectIn(fx.root)).kind, 'ambiguous');
});

test('a branch prefix shared by two folders is ambiguous', async (t) => {
  const fx = await copyFixtureProject('ambiguous');
  t.after(fx.dispose);
  await writeFile(join(fx.root, '.git'), 'gitdir: gd\n');
  await mkdir(join(fx.root, 'gd'));
  await writeFile(join(fx.root, 'gd', 'HEAD'), 'ref: refs/heads/003-payment-integration-v2\n');
  const selection = await selectIn(fx.root);
  assert.equal(selection.kind, 'ambiguous');
  assert.deepEqual(ids(selection), ['003-payment-integration', '003-payment-refunds']);
});

test('the only feature is chosen by that rule; no features is not-found', async (t) => {
  assert.deepEqual(chosen((await select(t, 'specs-only')).selection), [
    '001-legacy',
    'only-feature',
    'the only feature',
  ]);
  assert.equal(chosen((await select(t, 'lone-specify-tasks')).selection)[1], 'only-feature');
  const none = await select(t, 'no-project');
  assert.deepEqual(none.selection, {
    kind: 'not-found',
    reason: 'the workspace has no spec-kit features',
    candidates: [],
  });
});
