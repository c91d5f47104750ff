// Projects and tasks.md files unlike the ones the parser grew up on, written by hand after the layouts and
// habits seen in public spec-kit repositories: grouped and nested feature folders, a monorepo, `specs/`
// without `.specify/`, CRLF with a BOM and tabs, ordered and `+` lists, front matter, HTML comments, trailing
// emoji and `#`s, odd ids, very long lines. Whatever the file, `tasks --json` must not crash and must say
// something sensible. The last group were `todo` tests until the parser learnt them: they keep the failing
// input each was written for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, type CliIo } from '../../../src/cli/cli';
import type { ReportTask, TasksReport } from '../../../src/cli/tasks-report';
import { discoverProjects } from '../../../src/core/speckit/project-discovery';
import { selectFeature } from '../../../src/core/speckit/feature-selection';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import { copyFixtureProject, fixtureProjectsDir } from './fixture-projects';

const signal = new AbortController().signal;

async function tasksCommand(
  root: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s) },
    env,
    cwd: root,
  };
  const code = await runCli(['tasks', ...args], io);
  return { code, out, err };
}

async function report(
  t: { after: (fn: () => Promise<void>) => void },
  project: string,
  feature?: string,
): Promise<TasksReport> {
  const fx = await copyFixtureProject(project);
  t.after(fx.dispose);
  const { code, out, err } = await tasksCommand(fx.root, [
    '--json',
    ...(feature === undefined ? [] : ['--feature', feature]),
  ]);
  assert.equal(code, 0, err);
  assert.equal(err, '');
  return JSON.parse(out) as TasksReport;
}

function allTasks(r: TasksReport): ReportTask[] {
  return r.phases.flatMap((p) => p.tasks);
}

function task(r: TasksReport, id: string): ReportTask {
  const found = allTasks(r).find((x) => x.id === id);
  assert.ok(found, `no task ${id} in the report`);
  return found;
}

function codes(r: TasksReport): string[] {
  return r.warnings.map((w) => w.code);
}

test('template of the user-story era: front matter, HTML comment, em-dash and "Phase N" phases, fenced example, trailing ✅ and #s', async (t) => {
  const r = await report(t, 'unseen-template');
  assert.equal(r.feature.id, '042-bookmark-sync');
  assert.equal(r.feature.rule, 'only-feature');
  assert.deepEqual(
    r.phases.map((p) => [p.title, p.tasks.length]),
    [
      ['Phase 1: Setup (Shared Infrastructure)', 3],
      ['Phase 2 — Foundational (Blocking Prerequisites)', 3],
      ['Phase 3: User Story 1 - Save a bookmark (Priority: P1) 🎯 MVP', 6],
      ['Phase 4: User Story 2 - Sync across devices (Priority: P2)', 3],
      ['Phase N: Polish & Cross-Cutting Concerns', 3],
    ],
  );
  assert.deepEqual(
    new Set(allTasks(r).map((x) => x.id)).size,
    18,
    'the T007 line inside the fenced example is not a second T007',
  );
  assert.deepEqual(
    [task(r, 'T001').done, task(r, 'T002').done, task(r, 'T003').done],
    [true, true, false],
    '[x] and [X] both tick',
  );
  assert.equal(
    task(r, 'T003').description,
    'Configure linting in .golangci.yml ✅',
    'a trailing ✅ is text, not a tick',
  );
  assert.deepEqual(task(r, 'T001').files, ['backend/', 'frontend/']);
  assert.deepEqual(task(r, 'T015').files, ['frontend/src/sync.ts']);
  assert.equal(task(r, 'T007').story, 'US1');
  assert.equal(task(r, 'T007').parallel, true);
  assert.ok(task(r, 'T010').dependsOn.includes('T009'), '"(depends on T009)"');
  assert.ok(
    ['T010', 'T005'].every((id) => task(r, 'T011').dependsOn.includes(id)),
    '"(depends on T010, T005)", across phases',
  );
  assert.ok(task(r, 'T014').dependsOn.includes('T013'), '"after T013"');
  assert.ok(task(r, 'T007').dependsOn.length > 0, 'user-story work waits for the foundational phase');
  assert.deepEqual(
    r.warnings.filter((w) => w.severity !== 'info'),
    [],
    'a well-formed file has no warnings',
  );
  assert.ok(r.criticalPath.length >= 5, `critical path through every phase: ${r.criticalPath.join(' ')}`);
});

test('specs/ without .specify/, CRLF with a BOM, tab-indented details, "1." / "3)" / "+" / "*" bullets', async (t) => {
  const r = await report(t, 'unseen-crlf', '007');
  assert.equal(r.feature.id, '007-offline-cache');
  assert.deepEqual(
    allTasks(r).map((x) => [x.id, x.line, x.done, x.parallel]),
    [
      ['T001', 5, false, false],
      ['T002', 8, true, true],
      ['T003', 12, false, false],
      ['T004', 13, true, false],
      ['T005', 14, false, false],
      ['T006', 15, false, true],
      ['T007', 16, false, true],
      ['T008', 20, false, false],
    ],
  );
  for (const x of allTasks(r))
    assert.doesNotMatch(x.description + x.files.join(''), /[\r\uFEFF]/, `${x.id}: no CR or BOM leaks into text`);
  assert.deepEqual(
    task(r, 'T001').files,
    ['src/cache/index.ts'],
    'tab-indented sub-bullets belong to T001 and name no file',
  );
  assert.ok(task(r, 'T003').dependsOn.includes('T001'));
  assert.ok(task(r, 'T005').dependsOn.includes('T004'));
  assert.deepEqual(codes(r), ['project-without-specify'], 'only the note that .specify/ is missing');
});

test('CRLF with a BOM and real problems: each is reported with the line it is on', async (t) => {
  const r = await report(t, 'unseen-crlf', 'cache-review');
  const lines = r.warnings.filter((w) => w.source === 'tasks').map((w) => [w.code, w.line]);
  assert.deepEqual(lines, [
    ['parallel-same-file', 6],
    ['duplicate-task-id', 7],
    ['checkbox-without-id', 8],
    ['unknown-dependency', 9],
  ]);
  assert.deepEqual(
    allTasks(r).map((x) => x.id),
    ['T001', 'T002', 'T002', 'T003'],
    'duplicates are both kept',
  );
});

test('feature folders grouped by area (specs/backend/001-api): listed, chosen by number, slug or path', async (t) => {
  const fx = await copyFixtureProject('unseen-grouped');
  t.after(fx.dispose);
  const { projects } = await discoverProjects([fx.root], { signal });
  assert.deepEqual(
    projects[0]?.features.map((f) => [f.id, f.naming.kind, f.slug, f.dir]),
    [
      ['backend/001-api', 'numbered', 'api', join(fx.root, 'specs', 'backend', '001-api')],
      ['frontend/002-web', 'numbered', 'web', join(fx.root, 'specs', 'frontend', '002-web')],
    ],
  );
  const ambiguous = await tasksCommand(fx.root, ['--json']);
  assert.equal(ambiguous.code, 2);
  assert.match(ambiguous.err, /choose one with --feature: backend\/001-api, frontend\/002-web\n$/);
  for (const argument of ['001', 'api', 'backend/001-api', 'specs/backend/001-api']) {
    const { code, out, err } = await tasksCommand(fx.root, ['--json', '--feature', argument]);
    assert.equal(code, 0, `${argument}: ${err}`);
    assert.equal((JSON.parse(out) as TasksReport).feature.id, 'backend/001-api', argument);
  }
  const byBranch = await selectFeature(projects, { env: { SPECIFY_FEATURE: 'feat/002-web' }, cwd: fx.root }, signal);
  assert.equal(byBranch.kind === 'selected' ? byBranch.feature.id : byBranch.kind, 'frontend/002-web');
});

test('grouped features are found without .specify/ too, and a group folder with no feature stays a folder', async (t) => {
  const fx = await copyFixtureProject('unseen-grouped');
  t.after(fx.dispose);
  await rm(join(fx.root, '.specify'), { recursive: true });
  await mkdir(join(fx.root, 'specs', 'archive', 'drafts'), { recursive: true });
  await writeFile(join(fx.root, 'specs', 'archive', 'drafts', 'ideas.txt'), 'not a feature\n');
  const { projects } = await discoverProjects([join(fx.root, '..')], { signal });
  assert.deepEqual(
    projects.map((p) => [p.root, p.layout]),
    [[fx.root, 'specs-only']],
  );
  assert.deepEqual(
    projects[0]?.features.map((f) => f.id),
    ['backend/001-api', 'frontend/002-web'],
  );
});

test('a monorepo with a project per package: searched from its root, candidates listed, one chosen by number', async (t) => {
  const fx = await copyFixtureProject('unseen-monorepo');
  t.after(fx.dispose);
  const ambiguous = await tasksCommand(fx.root, ['--json']);
  assert.equal(ambiguous.code, 2);
  assert.equal(ambiguous.out, '');
  assert.match(ambiguous.err, /2 features and nothing chose one; choose one with --feature: 001-auth, 003-export/);
  const chosen = await tasksCommand(fx.root, ['--json', '--feature', '003']);
  assert.equal(chosen.code, 0, chosen.err);
  const r = JSON.parse(chosen.out) as TasksReport;
  assert.equal(r.feature.dir, join(fx.root, 'packages', 'app', 'specs', '003-export'));
  assert.deepEqual(r.criticalPath, ['T002'], 'the ticked T001 costs nothing');
});

test('ids: T1 and T0003 are ids; TASK-004, T-005 and t006 are checkboxes without one; bold ids and 5,000-character lines work', async (t) => {
  const r = await report(t, 'unseen-odd', '001');
  assert.deepEqual(
    allTasks(r).map((x) => x.id),
    ['T1', 'T2', 'T0003', 'T007', 'T008'],
  );
  assert.deepEqual(task(r, 'T2').dependsOn.includes('T1'), true);
  const noId = r.warnings.filter((w) => w.code === 'checkbox-without-id').map((w) => [w.line, w.severity]);
  assert.deepEqual(
    noId,
    [
      [12, 'warning'],
      [13, 'warning'],
      [14, 'warning'],
    ],
    'reported as tasks without an id, never dropped silently',
  );
  assert.ok(task(r, 'T008').description.length > 5000);
  assert.deepEqual(task(r, 'T008').files, ['src/importer/rows.ts']);
  assert.deepEqual(
    r.warnings.filter((w) => w.severity === 'error'),
    [],
  );
});

/** Every tasks.md below the unseen-* fixture projects, as `<project>/<feature>`. */
function unseenTasksFiles(): { project: string; feature: string; path: string }[] {
  const found: { project: string; feature: string; path: string }[] = [];
  const walk = (project: string, dir: string, rel: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(project, join(dir, e.name), rel === '' ? e.name : `${rel}/${e.name}`);
      else if (e.name === 'tasks.md')
        found.push({ project, feature: rel.replace(/^.*?specs\//, ''), path: join(dir, e.name) });
    }
  };
  for (const e of readdirSync(fixtureProjectsDir, { withFileTypes: true })) {
    if (e.isDirectory() && e.name.startsWith('unseen-')) walk(e.name, join(fixtureProjectsDir, e.name), '');
  }
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

test('every unseen tasks.md: tasks --json exits 0 with one object, every task once, every line number right', async (t) => {
  const files = unseenTasksFiles();
  assert.ok(files.length >= 12, `found ${files.length}`);
  const copies = new Map<string, string>();
  for (const { project, feature, path } of files) {
    let root = copies.get(project);
    if (root === undefined) {
      const fx = await copyFixtureProject(project);
      t.after(fx.dispose);
      root = fx.root;
      copies.set(project, root);
    }
    const { code, out, err } = await tasksCommand(root, ['--json', '--feature', feature]);
    assert.equal(code, 0, `${project}/${feature}: ${err}`);
    const r = JSON.parse(out) as TasksReport;
    const text = readFileSync(path, 'utf8');
    const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
    const parsed = parseTasks(text);
    assert.equal(allTasks(r).length, parsed.tasks.length, `${feature}: every parsed task is reported once`);
    for (const x of allTasks(r))
      assert.ok(lines[x.line - 1]?.includes(x.id), `${feature}: ${x.id} is on line ${x.line}`);
    t.diagnostic(
      `${project}/${feature}: ${allTasks(r).length} tasks in ${r.phases.length} phases; warnings: ${codes(r).join(', ') || 'none'}`,
    );
  }
});

// ---- What the parser and graph once got wrong, with the failing input ----

test('parser: dotted ids (T1.1) are tasks of their own, sub-tasks of T1, not duplicates of it', async (t) => {
  const r = await report(t, 'unseen-odd', '002');
  assert.deepEqual(
    allTasks(r).map((x) => x.id),
    ['T1', 'T1.1', 'T1.2'],
  );
  assert.ok(!codes(r).includes('duplicate-task-id'), codes(r).join(', '));
  assert.ok(!codes(r).includes('checkbox-without-id'), codes(r).join(', '));
  assert.ok(!codes(r).includes('task-id-out-of-order'), codes(r).join(', '));
});

test('parser: setext headings ("Phase 1: Setup" underlined with ---) are phases', async (t) => {
  const r = await report(t, 'unseen-odd', '003');
  assert.deepEqual(
    r.phases.map((p) => p.title),
    ['Phase 1: Setup', 'Phase 2: Core'],
  );
});

test('parser: a task line inside an HTML comment is not a task', async (t) => {
  const r = await report(t, 'unseen-odd', '004');
  assert.deepEqual(
    allTasks(r).map((x) => x.id),
    ['T001', 'T003'],
  );
});

test('parser: "## Foundational (Blocking Prerequisites)" holding tasks is a phase, not a Dependencies section', async (t) => {
  const r = await report(t, 'unseen-odd', '005');
  assert.deepEqual(
    r.phases.map((p) => p.tasks.map((x) => x.id)),
    [['T001'], ['T002'], ['T003']],
  );
  assert.ok(!codes(r).includes('task-outside-phase'));
});

test('parser: "### Phase 3.1: Setup" under "## Tasks" are three phases', async (t) => {
  const r = await report(t, 'unseen-odd', '006');
  assert.deepEqual(
    r.phases.map((p) => [p.title, p.tasks.map((x) => x.id)]),
    [
      ['Phase 3.1: Setup', ['T001']],
      ['Phase 3.2: Tests First (TDD)', ['T002']],
      ['Phase 3.3: Core Implementation', ['T003']],
    ],
  );
});

test('graph: "depends on T001" when T001 is duplicated later is no cycle', async (t) => {
  const r = await report(t, 'unseen-odd', '007');
  assert.deepEqual(
    r.warnings.filter((w) => w.severity === 'error').map((w) => w.message),
    [],
  );
});

test('parser: old-Mac lone CR line endings are line breaks, as for the language server', async (t) => {
  const r = await report(t, 'unseen-odd', '008');
  assert.deepEqual(
    r.phases.map((p) => [p.title, p.tasks.map((x) => [x.id, x.line, x.done, x.files, x.dependsOn])]),
    [
      [
        'Phase 1: Setup',
        [
          ['T001', 5, false, ['src/pkg/index.ts'], []],
          ['T002', 6, true, ['src/pkg/config.ts', 'src/pkg/defaults.ts'], ['T001']],
        ],
      ],
      ['Phase 2: Core', [['T003', 11, false, ['src/pkg/core.ts'], ['T002']]]],
    ],
  );
  assert.deepEqual(
    r.warnings.filter((w) => w.severity !== 'info'),
    [],
  );
});
