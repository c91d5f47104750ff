import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli, type CliIo } from '../../../src/cli/cli';
import type { TasksReport } from '../../../src/cli/tasks-report';
import { parseTasks } from '../../../src/core/speckit/tasks-parser';
import { buildCliBundle } from './cli-harness';
import { copyFixtureProject } from '../speckit/fixture-projects';

const repoRoot = resolve(__dirname, '..', '..', '..');

interface Captured {
  io: CliIo;
  out: () => string;
  err: () => string;
}

function capture(cwd: string, env: Record<string, string> = {}, isTTY = false): Captured {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s), isTTY }, stderr: { write: (s: string) => (err += s) }, env, cwd },
    out: () => out,
    err: () => err,
  };
}

async function fixture(t: { after: (fn: () => Promise<void>) => void }, name: string): Promise<string> {
  const fx = await copyFixtureProject(name);
  t.after(fx.dispose);
  return fx.root;
}

async function json(root: string, args: string[] = [], env: Record<string, string> = {}): Promise<TasksReport> {
  const c = capture(root, env);
  const code = await runCli(['tasks', '--json', ...args], c.io);
  assert.equal(code, 0, c.err());
  assert.equal(c.err(), '');
  return JSON.parse(c.out()) as TasksReport;
}

async function failure(root: string, args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const c = capture(root, env);
  assert.equal(await runCli(['tasks', ...args], c.io), 2);
  assert.equal(c.out(), '', 'nothing on stdout');
  assert.equal(
    c
      .err()
      .split('\n')
      .filter((l) => l !== '').length,
    1,
    `one line: ${c.err()}`,
  );
  return c.err();
}

test('--json prints exactly one object with the documented shape', async (t) => {
  const root = await fixture(t, 'numbered');
  const report = await json(root, ['--feature', '001']);
  assert.deepEqual(Object.keys(report), ['feature', 'phases', 'warnings', 'criticalPath']);
  assert.deepEqual(report.feature, {
    id: '001-user-auth',
    dir: join(root, 'specs', '001-user-auth'),
    rule: 'argument',
    detail: "argument '001'",
    tasksFile: join(root, 'specs', '001-user-auth', 'tasks.md'),
  });
  assert.deepEqual(
    report.phases.map((p) => [p.title, p.tasks.map((x) => x.id)]),
    [
      ['Phase 1: Setup', ['T001', 'T002']],
      ['Phase 2: User Story 1 - First slice (Priority: P1) 🎯 MVP', ['T003', 'T004', 'T005', 'T006']],
    ],
  );
  assert.deepEqual(report.phases[1]?.tasks[2], {
    id: 'T005',
    done: false,
    parallel: false,
    story: 'US1',
    description: 'Implement the model in src/models/item.py (depends on T003)',
    files: ['src/models/item.py'],
    line: 23,
    dependsOn: report.phases[1]?.tasks[2]?.dependsOn,
  });
  assert.ok(report.phases[1]?.tasks[2]?.dependsOn.includes('T003'));
  assert.deepEqual([report.phases[0]?.tasks[0]?.done, report.phases[0]?.tasks[1]?.parallel], [true, true]);
  // The fenced "Parallel Example" line is not a task; the done task is not on the critical path.
  assert.equal(report.phases.flatMap((p) => p.tasks).length, 6);
  assert.ok(!report.criticalPath.includes('T001'));
  assert.deepEqual(report.criticalPath.slice(-3), ['T003', 'T005', 'T006']);
  assert.deepEqual(report.warnings, [
    {
      source: 'checklists',
      severity: 'warning',
      code: 'checklist-incomplete',
      message: 'ux.md: 2 of 3 items unchecked',
      file: join(root, 'specs', '001-user-auth', 'checklists', 'ux.md'),
      line: null,
    },
  ]);
});

test('every layout: the feature and the rule that chose it', async (t) => {
  const cases: [fixture: string, args: string[], env: Record<string, string>, id: string, rule: string][] = [
    ['numbered', ['--feature', 'payment-integration'], {}, '002-payment-integration', 'argument'],
    ['four-digit', ['--feature', '1001'], {}, '1001-search', 'argument'],
    ['timestamped', ['--feature', '20250102-101500'], {}, '20250102-101500-logout', 'argument'],
    ['hand-named', ['--feature', 'main'], {}, 'main', 'argument'],
    ['lone-specify-tasks', [], {}, '.specify', 'only-feature'],
    ['specs-only', [], {}, '001-legacy', 'only-feature'],
    ['feature-json', [], {}, '002-beta', 'feature-json'],
    ['feature-json', [], { SPECIFY_FEATURE_DIRECTORY: 'specs/001-alpha' }, '001-alpha', 'env-feature-directory'],
    ['git-branch', [], {}, '004-exports', 'git-branch'],
    ['git-branch', [], { SPECIFY_FEATURE: '003-reports' }, '003-reports', 'env-feature'],
    ['worktree', [], {}, '003-reports', 'git-branch'],
  ];
  for (const [name, args, env, id, rule] of cases) {
    const report = await json(await fixture(t, name), args, env);
    assert.deepEqual([report.feature.id, report.feature.rule], [id, rule], name);
    assert.equal(report.phases.flatMap((p) => p.tasks).length, 6, name);
  }
});

test('--workspace defaults to the current folder, may point elsewhere, and may repeat', async (t) => {
  const root = await fixture(t, 'four-digit');
  const other = await fixture(t, 'specs-only');
  // From inside a feature folder the project is found upward, and `.` names the folder.
  const inside = await json(join(root, 'specs', '1002-export'), ['--feature', '.']);
  assert.deepEqual([inside.feature.id, inside.feature.rule], ['1002-export', 'argument']);
  assert.equal((await json(other, ['--workspace', root, '--feature', '1001'])).feature.id, '1001-search');
  assert.equal(
    (await json(root, ['--workspace', root, '--workspace', other, '--feature', '001-legacy'])).feature.id,
    '001-legacy',
  );
});

test('bad input: one line on stderr, exit 2, nothing written', async (t) => {
  const ambiguous = await fixture(t, 'ambiguous');
  assert.match(
    await failure(ambiguous),
    /3 features and nothing chose one; choose one with --feature: 003-payment-integration, 003-payment-refunds, 004-invoices/,
  );
  assert.match(
    await failure(ambiguous, ['--feature', '003']),
    /argument '003' matches 2 features; choose one with --feature: 003-payment-integration, 003-payment-refunds$/m,
  );
  assert.match(
    await failure(ambiguous, ['--feature', 'nope']),
    /argument 'nope' matches no feature; features: 003-payment-integration, 003-payment-refunds, 004-invoices/,
  );
  assert.match(await failure(await fixture(t, 'no-project')), /no spec-kit project in .*no-project/);
  assert.match(await failure(ambiguous, ['--workspace', join(ambiguous, 'missing')]), /workspace folder not found/);
  assert.match(await failure(await fixture(t, 'bad-config')), /feature\.json is malformed/);
  assert.match(await failure(ambiguous, ['--bogus']), /Unknown option '--bogus'/);

  const hand = await fixture(t, 'hand-named');
  assert.match(await failure(hand, ['--feature', 'onboarding-flow']), /feature onboarding-flow has no tasks\.md yet/);
  const tasks = join(hand, 'specs', 'main', 'tasks.md');
  await rm(tasks);
  await symlink(join(hand, 'nowhere.md'), tasks);
  const before = await snapshot(hand);
  assert.match(await failure(hand, ['--feature', 'main']), /cannot read .*tasks\.md: file not found/);
  assert.deepEqual(await snapshot(hand), before);
});

test('a successful run writes nothing either', async (t) => {
  const root = await fixture(t, 'numbered');
  const before = await snapshot(root);
  await json(root, ['--feature', '001']);
  const c = capture(root);
  assert.equal(await runCli(['tasks', '--feature', '001'], c.io), 0);
  assert.deepEqual(await snapshot(root), before);
});

test('text output: feature, rule, phases, tasks, dependencies, critical path; colours only on a TTY without NO_COLOR', async (t) => {
  const root = await fixture(t, 'git-branch');
  const c = capture(root);
  assert.equal(await runCli(['tasks'], c.io), 0);
  const text = c.out();
  assert.match(text, /^Feature 004-exports {2}specs\/004-exports$/m);
  assert.match(text, /chosen by git-branch: git branch 'feat\/004-exports-csv'/);
  assert.match(text, /^Phase 1: Setup {2}\(1\/2 done\)$/m);
  assert.match(text, /^ {2}\[X\] T001 {2}Create project structure/m);
  assert.match(text, /^ {2}\[ \] T003 \[P\] \[US1\] {2}Contract test in tests\/contract\/test_api\.py$/m);
  assert.match(text, /^ {8}files: src\/models\/item\.py$/m);
  assert.match(text, /^ {8}after: .*T005/m);
  assert.match(text, /critical path \(\d+\): .*T003 -> T005 -> T006$/m);
  assert.ok(!text.includes('\u001b['), 'no escape codes in a log');

  const tty = capture(root, {}, true);
  assert.equal(await runCli(['tasks'], tty.io), 0);
  assert.ok(tty.out().includes('\u001b[32m[X]\u001b[39m'), 'green [X] on a TTY');
  const noColor = capture(root, { NO_COLOR: '1' }, true);
  assert.equal(await runCli(['tasks'], noColor.io), 0);
  assert.ok(!noColor.out().includes('\u001b['), 'NO_COLOR wins');
});

async function tempProject(t: { after: (fn: () => Promise<void>) => void }, tasksText: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'speckit-cli-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, '.specify'));
  await mkdir(join(root, 'specs', '001-x'), { recursive: true });
  await writeFile(join(root, 'specs', '001-x', 'tasks.md'), tasksText);
  return root;
}

test('graph problems are warnings, not failures', async (t) => {
  const root = await tempProject(
    t,
    '## Phase 1: Core\n\n- [ ] T001 First, depends on T002\n- [ ] T002 Second, depends on T001\n',
  );
  const report = await json(root);
  const cycle = report.warnings.find((w) => w.source === 'graph' && w.code === 'dependency-cycle');
  assert.ok(cycle, JSON.stringify(report.warnings));
  assert.equal(cycle.file, join(root, 'specs', '001-x', 'tasks.md'));
  assert.equal(typeof cycle.line, 'number');
});

const realDir = resolve(repoRoot, '..', 'shared', 'fixtures', 'real-tasks');
test(
  'every real-world tasks.md: the CLI reports every task the parser finds',
  { skip: existsSync(realDir) ? false : `real-world fixtures not found at ${realDir}` },
  async (t) => {
    for (const name of (await readdir(realDir)).filter((n) => n.endsWith('.tasks.md'))) {
      const text = await readFile(join(realDir, name), 'utf8');
      const report = await json(await tempProject(t, text));
      assert.equal(report.phases.flatMap((p) => p.tasks).length, parseTasks(text).tasks.length, name);
      const ids = new Set(report.phases.flatMap((p) => p.tasks.map((x) => x.id)));
      assert.ok(
        report.criticalPath.every((id) => ids.has(id)),
        name,
      );
    }
  },
);

test('help', async () => {
  const c = capture(repoRoot);
  assert.equal(await runCli(['tasks', '--help'], c.io), 0);
  assert.match(c.out(), /usage: speckit-orchestra tasks \[--workspace DIR\]/);
  const top = capture(repoRoot);
  assert.equal(await runCli(['--help'], top.io), 0);
  assert.match(top.out(), /tasks {6}show the chosen feature/);
});

let cliPath: string;
before(async () => {
  ({ cliJs: cliPath } = await buildCliBundle());
});

test('the built CLI runs as a process', async (t) => {
  const root = await fixture(t, 'feature-json');
  const ok = spawnSync(process.execPath, [cliPath, 'tasks', '--json'], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '' },
  });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as TasksReport).feature.id, '002-beta');
  const bad = spawnSync(process.execPath, [cliPath, 'tasks', '--feature', 'zzz'], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '' },
  });
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.match(
    bad.stderr,
    /^speckit-orchestra tasks: argument 'zzz' matches no feature; features: 001-alpha, 002-beta\n$/,
  );
});

async function snapshot(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const rows: string[] = [];
  for (const e of entries) {
    const path = join(e.parentPath, e.name);
    const info = await stat(path).catch(() => undefined);
    const content = e.isFile() ? await readFile(path, 'utf8') : '';
    rows.push(`${path} ${info?.mtimeMs ?? 'dangling'} ${content}`);
  }
  return rows.sort();
}

test('tasks --json lists tasks outside any phase where they stand, between the phases around them', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'cli-outside-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, '.specify'), { recursive: true });
  await mkdir(join(root, 'specs', '001-demo'), { recursive: true });
  await writeFile(
    join(root, 'specs', '001-demo', 'tasks.md'),
    [
      '# Tasks: export',
      '- [ ] T001 Read docs/export.md first',
      '',
      '## Phase 1: Setup',
      '- [ ] T002 Add the exporter package to package.json',
      '',
      '## Notes',
      '- [ ] T003 Update the changelog in CHANGELOG.md',
      '',
      '## Phase 2: Core',
      '- [ ] T004 Export to CSV in src/export.ts',
      '',
    ].join('\n'),
  );
  const report = await json(root);
  assert.deepEqual(
    report.phases.map((p) => [p.title, p.tasks.map((task) => task.id)]),
    [
      ['(outside any phase)', ['T001']],
      ['Phase 1: Setup', ['T002']],
      ['(outside any phase)', ['T003']],
      ['Phase 2: Core', ['T004']],
    ],
  );
  assert.deepEqual(report.phases[2]?.tasks[0]?.dependsOn, ['T002'], 'T003 runs where it stands: after Setup');
  assert.deepEqual(report.phases[3]?.tasks[0]?.dependsOn, ['T003']);
});

test('tasks on a tasks.md whose tasks are headings: 0 tasks, and the header line says why and what to write', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'tasks-headings-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, '.specify'));
  await mkdir(join(root, 'specs', '001-x'), { recursive: true });
  const text = '# Tasks\n\n## Phase 1: Setup\n\n### T001: Install x\n\n- [ ] x is installed\n\n### T002: Add y\n';
  await writeFile(join(root, 'specs', '001-x', 'tasks.md'), text);
  const c = capture(root);
  assert.equal(await runCli(['tasks'], c.io), 0, c.err());
  assert.match(
    c.out(),
    /specs\/001-x\/tasks\.md: 0 tasks, 0 done, 0 to do: 2 task ids are written without a checkbox \(first on line 5\), and 1 checkbox has no task id \(first on line 7\)\. A task is written as "- \[ \] T001 Description"; in the editor, the quick fix on such a line rewrites them all\n/,
  );
});
