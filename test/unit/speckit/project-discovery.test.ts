import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { discoverProjects, findProjectRootUpward } from '../../../src/core/speckit/project-discovery';
import { copyFixtureProject } from './fixture-projects';

const signal = new AbortController().signal;

test('a numbered project lists its features and every document they hold', async (t) => {
  const fx = await copyFixtureProject('numbered');
  t.after(fx.dispose);
  const { projects, diagnostics } = await discoverProjects([fx.root], { signal });
  assert.deepEqual(diagnostics, []);
  assert.equal(projects.length, 1);
  const [project] = projects;
  assert.ok(project);
  assert.equal(project.root, fx.root);
  assert.equal(project.layout, 'specify');
  assert.equal(project.constitutionPath, join(fx.root, '.specify', 'memory', 'constitution.md'));
  assert.equal(project.extensionsPath, join(fx.root, '.specify', 'extensions.yml'));
  assert.deepEqual(
    project.features.map((f) => f.id),
    ['001-user-auth', '002-payment-integration'],
  );
  const auth = project.features[0];
  assert.ok(auth);
  const dir = join(fx.root, 'specs', '001-user-auth');
  assert.deepEqual(auth.naming, { kind: 'numbered', prefix: '001', number: 1 });
  assert.equal(auth.slug, 'user-auth');
  assert.equal(auth.dir, dir);
  assert.equal(auth.tasksPath, join(dir, 'tasks.md'));
  assert.deepEqual(auth.documents, {
    spec: join(dir, 'spec.md'),
    plan: join(dir, 'plan.md'),
    tasks: join(dir, 'tasks.md'),
    research: join(dir, 'research.md'),
    dataModel: join(dir, 'data-model.md'),
    quickstart: join(dir, 'quickstart.md'),
    contracts: join(dir, 'contracts'),
    checklists: [join(dir, 'checklists', 'requirements.md'), join(dir, 'checklists', 'ux.md')],
  });
  assert.deepEqual(project.features[1]?.documents, {
    spec: join(fx.root, 'specs', '002-payment-integration', 'spec.md'),
    tasks: join(fx.root, 'specs', '002-payment-integration', 'tasks.md'),
    checklists: [],
  });
});

test('4-digit, timestamped and hand-named folders are features; a folder with no spec-kit document is not', async (t) => {
  for (const [name, expected] of [
    [
      'four-digit',
      [
        ['1001-search', 'numbered', 'search'],
        ['1002-export', 'numbered', 'export'],
      ],
    ],
    [
      'timestamped',
      [
        ['20250101-093000-login-page', 'timestamped', 'login-page'],
        ['20250102-101500-logout', 'timestamped', 'logout'],
      ],
    ],
    [
      'hand-named',
      [
        ['main', 'named', 'main'],
        ['onboarding-flow', 'named', 'onboarding-flow'],
      ],
    ],
  ] as const) {
    const fx = await copyFixtureProject(name);
    t.after(fx.dispose);
    const { projects } = await discoverProjects([fx.root], { signal });
    assert.deepEqual(
      projects[0]?.features.map((f) => [f.id, f.naming.kind, f.slug]),
      expected.map((e) => [...e]),
      name,
    );
  }
});

test('a lone .specify/tasks.md is a feature of its own', async (t) => {
  const fx = await copyFixtureProject('lone-specify-tasks');
  t.after(fx.dispose);
  const { projects } = await discoverProjects([fx.root], { signal });
  const feature = projects[0]?.features[0];
  assert.equal(projects[0]?.features.length, 1);
  assert.equal(feature?.id, '.specify');
  assert.equal(feature.naming.kind, 'specify-dir');
  assert.equal(feature.tasksPath, join(fx.root, '.specify', 'tasks.md'));
});

test('features in .specify/specs/<feature>/ are features too; a name also under specs/ keeps its path', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'specify-specs-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  for (const dir of ['.specify/specs/001-albums', '.specify/specs/002-share', 'specs/002-share'])
    await mkdir(join(root, dir), { recursive: true });
  await writeFile(join(root, '.specify/specs/001-albums/tasks.md'), '- [ ] T001 Album model in src/album.ts\n');
  await writeFile(join(root, '.specify/specs/002-share/spec.md'), '# Share\n');
  await writeFile(join(root, 'specs/002-share/tasks.md'), '- [ ] T001 Share in src/share.ts\n');
  const { projects, diagnostics } = await discoverProjects([root], { signal });
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    projects[0]?.features.map((f) => [f.id, f.tasksPath === undefined ? '' : f.tasksPath.slice(root.length)]),
    [
      ['.specify/specs/002-share', ''],
      ['001-albums', join('/.specify', 'specs', '001-albums', 'tasks.md')],
      ['002-share', join('/specs', '002-share', 'tasks.md')],
    ],
  );
  assert.deepEqual(projects[0]?.features[1]?.naming, { kind: 'numbered', prefix: '001', number: 1 });
});

test('specs/*/tasks.md without .specify/ is a flagged project', async (t) => {
  const fx = await copyFixtureProject('specs-only');
  t.after(fx.dispose);
  const { projects, diagnostics } = await discoverProjects([fx.root], { signal });
  assert.equal(projects[0]?.layout, 'specs-only');
  assert.deepEqual(
    projects[0]?.features.map((f) => f.id),
    ['001-legacy'],
  );
  assert.deepEqual(
    diagnostics.map((d) => d.code),
    ['project-without-specify'],
  );
});

test('no project in a plain folder; a missing workspace folder is a diagnostic, not a crash', async (t) => {
  const fx = await copyFixtureProject('no-project');
  t.after(fx.dispose);
  assert.deepEqual((await discoverProjects([fx.root], { signal })).projects, []);
  const missing = await discoverProjects([join(fx.root, 'nope')], { signal });
  assert.deepEqual(missing.projects, []);
  assert.deepEqual(
    missing.diagnostics.map((d) => d.code),
    ['workspace-missing'],
  );
});

test('multi-root: projects below each root, found downward within the depth bound, skipping node_modules', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'speckit-multi-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const make = async (...parts: string[]) => mkdir(join(base, ...parts, '.specify'), { recursive: true });
  await make('one', 'packages', 'api');
  await make('one', 'packages', 'web');
  await make('one', 'node_modules', 'dep');
  await make('one', 'a', 'b', 'c', 'd', 'e', 'too-deep');
  await make('two');
  // A project is not descended into: a nested one inside it is not listed separately.
  await make('two', 'inner');
  await symlink(join(base, 'one'), join(base, 'one', 'packages', 'loop'));
  const { projects } = await discoverProjects([join(base, 'one'), join(base, 'two'), join(base, 'two')], { signal });
  assert.deepEqual(
    projects.map((p) => p.root.slice(base.length + 1)),
    [join('one', 'packages', 'api'), join('one', 'packages', 'web'), 'two'],
  );
  const deeper = await discoverProjects([join(base, 'one')], { signal, maxDepth: 6 });
  assert.ok(deeper.projects.some((p) => basename(p.root) === 'too-deep'));
});

test('upward: a path inside a project finds the nearest folder with .specify/', async (t) => {
  const fx = await copyFixtureProject('numbered');
  t.after(fx.dispose);
  const inside = join(fx.root, 'specs', '001-user-auth', 'tasks.md');
  assert.equal(await findProjectRootUpward(inside, signal), fx.root);
  const { projects } = await discoverProjects([join(fx.root, 'specs', '001-user-auth')], { signal });
  assert.deepEqual(
    projects.map((p) => p.root),
    [fx.root],
  );
  const outside = await mkdtemp(join(tmpdir(), 'speckit-none-'));
  t.after(() => rm(outside, { recursive: true, force: true }));
  await writeFile(join(outside, 'x.md'), '');
  assert.equal(await findProjectRootUpward(join(outside, 'x.md'), signal), undefined);
});
