import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedRequest } from '../../../mock-anthropic';
import { readJournalFile } from '../../../../src/core/engine/journal/journal-file';
import {
  bodyOf,
  complete,
  eventsOf,
  makeProject,
  startHarness,
  testSettings,
  toolCall,
  turnOf,
  wellBehaved,
} from './harness';

const settings = { ...testSettings, validate: false };

function asksForPlan(request: RecordedRequest): boolean {
  const tools = (request.body as { tools?: { name: string }[] } | undefined)?.tools ?? [];
  return tools.some((t) => t.name === 'submit_plan');
}

test('fallback mode: the planner plans the request, the plan is approved, saved as specs/NNN-slug/tasks.md and run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-fallback-'));
  mkdirSync(join(dir, 'specs', '004-older'), { recursive: true });
  writeFileSync(join(dir, 'specs', '004-older', 'notes.md'), 'not a feature with tasks\n');
  const h = await startHarness({ dir });
  const workers = wellBehaved((path) => existsSync(join(dir, path)));
  h.mock.setHandler((request) =>
    asksForPlan(request)
      ? toolCall('submit_plan', {
          title: 'CSV export',
          slug: 'csv-export',
          complexity: 'small',
          rationale: 'Two modules and a test.',
          phases: [
            { name: 'Core', tasks: [{ description: 'Write the CSV encoder', files: ['src/csv.js'], parallel: false }] },
            {
              name: 'Testing',
              tasks: [{ description: 'Test the encoder', files: ['test/csv.test.js'], parallel: false }],
            },
            {
              name: 'Setup',
              tasks: [{ description: 'Create the entry point', files: ['src/index.js'], parallel: false }],
            },
          ],
        })
      : workers(request),
  );
  try {
    const plan = await h.engine.plan({ root: dir, request: 'Add a CSV export', settings });
    assert.equal(plan.mode, 'fallback');
    assert.equal(h.mock.requests.length, 1, 'a planner that submits at once makes one model call');
    assert.equal(plan.focus, 'Add a CSV export', "the request is the run's focus too");
    assert.deepEqual(
      plan.phases.map((p) => p.title),
      ['Setup', 'Core', 'Testing'],
    );
    assert.equal(plan.feature.id, '005-csv-export');
    assert.equal(plan.tasks.find((t) => t.files.includes('test/csv.test.js'))?.role, 'test-writer');
    assert.ok(plan.strategy.why[0]?.includes('Two modules and a test.'));
    assert.ok(!existsSync(plan.feature.tasksPath), 'nothing is saved before approval');

    const result = await h.engine.start(plan).done;
    assert.equal(result.outcome, 'completed', result.message);
    assert.equal(h.confirms.filter((c) => c.kind === 'plan').length, 1);
    const saved = readFileSync(join(dir, 'specs', '005-csv-export', 'tasks.md'), 'utf8');
    assert.match(saved, /## Phase 1: Setup\n\n- \[X\] T001 Create the entry point in `src\/index.js`/);
    assert.ok(existsSync(join(dir, 'src', 'csv.js')));
    const workerCalls = h.mock.requests.slice(1);
    assert.ok(workerCalls.length > 0);
    for (const request of workerCalls)
      assert.match(
        (bodyOf(request).system ?? []).map((b) => b.text).join('\n'),
        /## The user's focus for this run\n\nAdd a CSV export/,
        'every worker is told the request',
      );
  } finally {
    await h.close();
  }
});

test("fallback mode: the planner follows the project's task-orchestrator.md, and its call's cost is in the plan and the run", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-fallback-'));
  mkdirSync(join(dir, '.claude', 'agents'), { recursive: true });
  const prompt = 'You plan for the Acme team: one task per file, and always a Review phase.';
  writeFileSync(
    join(dir, '.claude', 'agents', 'task-orchestrator.md'),
    `---\nname: task-orchestrator\ndescription: Acme planner\nmodel: claude-acme-planner\n---\n${prompt}\n`,
  );
  const h = await startHarness({ dir });
  h.mock.setHandler((request) =>
    asksForPlan(request)
      ? toolCall('submit_plan', {
          title: 'X',
          slug: 'x',
          complexity: 'small',
          rationale: 'r',
          phases: [{ name: 'Core', tasks: [{ description: 'Do x', files: ['x.js'], parallel: false }] }],
        })
      : turnOf(request) === 0
        ? toolCall('propose_edit', { kind: 'create', path: 'x.js', content: 'x' })
        : complete(['x.js']),
  );
  try {
    const plan = await h.engine.plan({ root: dir, request: 'Do x', settings });
    const body = h.mock.requests[0]?.body as { model?: string; system?: { text: string }[] } | undefined;
    assert.equal(body?.model, 'claude-acme-planner');
    assert.equal(body?.system?.[0]?.text, prompt, "the project's prompt comes first");
    assert.match(body?.system?.[1]?.text ?? '', /submit the plan by calling submit_plan/, 'the answer protocol stays');
    assert.deepEqual(plan.diagnostics, []);
    const planning = plan.planningCall;
    assert.equal(planning?.model, 'claude-acme-planner');
    assert.ok(
      planning &&
        planning.usage.inputTokens + planning.usage.cacheCreationInputTokens + planning.usage.cacheReadInputTokens >
          0 &&
        planning.usage.costUsd > 0,
      'the planning cost so far is in the plan',
    );

    const result = await h.engine.start(plan).done;
    assert.equal(result.outcome, 'completed', result.message);
    const records = (await readJournalFile(join(result.journalDir, 'journal.jsonl'))).records;
    const first = records.find((r) => r.type === 'usage');
    assert.ok(first?.type === 'usage' && first.role === 'task-orchestrator' && first.taskKey === undefined);
    assert.ok(Math.abs(first.usage.costUsd - planning.usage.costUsd) < 1e-12, 'booked at the cost the plan showed');
    assert.ok(result.usage.costUsd > planning.usage.costUsd, 'the run total includes planning and the worker');
  } finally {
    await h.close();
  }
});

test('fallback mode: a malformed task-orchestrator.md is reported in the plan and the built-in prompt is used', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-fallback-'));
  mkdirSync(join(dir, '.claude', 'agents'), { recursive: true });
  writeFileSync(join(dir, '.claude', 'agents', 'task-orchestrator.md'), '---\nname: [not, a, name\n---\nbody\n');
  const h = await startHarness({ dir });
  h.mock.setHandler(() =>
    toolCall('submit_plan', {
      title: 'X',
      slug: 'x',
      complexity: 'small',
      rationale: 'r',
      phases: [{ name: 'Core', tasks: [{ description: 'Do x', files: ['x.js'], parallel: false }] }],
    }),
  );
  try {
    const plan = await h.engine.plan({ root: dir, request: 'Do x', settings });
    assert.equal(plan.diagnostics.length, 1);
    assert.equal(plan.diagnostics[0]?.path, '.claude/agents/task-orchestrator.md');
    assert.match(plan.diagnostics[0]?.message ?? '', /built-in definition is used/);
    const body = h.mock.requests[0]?.body as { system?: { text: string }[] } | undefined;
    assert.match(body?.system?.[0]?.text ?? '', /^You are the task orchestrator/);
  } finally {
    await h.close();
  }
});

test('fallback mode: a refused plan runs nothing and saves nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-fallback-'));
  const h = await startHarness({ dir, confirm: (r) => r.kind !== 'plan' });
  h.mock.setHandler(() =>
    toolCall('submit_plan', {
      title: 'X',
      slug: 'x',
      complexity: 'small',
      rationale: 'r',
      phases: [{ name: 'Core', tasks: [{ description: 'Do x', files: ['x.js'], parallel: false }] }],
    }),
  );
  try {
    const result = await h.engine.start({ root: dir, request: 'Do x', settings }).done;
    assert.equal(result.outcome, 'cancelled');
    assert.equal(h.mock.requests.length, 1);
    assert.ok(!existsSync(join(dir, 'specs')));
  } finally {
    await h.close();
  }
});

const hooksYml = `hooks:
  before_implement:
    - command: speckit.lint.run
      description: Lint first
      optional: true
    - command: speckit.git.check-clean
      optional: false
`;

test('a refused mandatory before_implement hook stops the run before anything happens; an optional one may be declined', async () => {
  const dir = await makeProject('## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n', {
    '.specify/extensions.yml': hooksYml,
  });
  const h = await startHarness({ dir, confirm: (r) => r.kind !== 'hook' });
  try {
    const plan = await h.engine.plan({ root: dir, settings });
    assert.deepEqual(
      plan.hooks.map((x) => [x.command, x.optional]),
      [
        ['speckit.lint.run', true],
        ['speckit.git.check-clean', false],
      ],
    );
    const run = h.engine.start(plan);
    const result = await run.done;
    assert.equal(result.outcome, 'cancelled');
    assert.match(result.message, /mandatory before_implement hook 'speckit.git.check-clean' was refused/);
    assert.equal(h.mock.requests.length, 0);
    // The state folder exists (the run held its feature's lock from the start), but no journal was started.
    const runs = join(dir, '.specify', 'orchestra', 'runs');
    assert.deepEqual(existsSync(runs) ? readdirSync(runs) : [], [], 'no run journal was even started');
    assert.equal(h.confirms.filter((c) => c.kind === 'hook').length, 2);
    assert.equal(h.confirms.find((c) => c.title.includes('check-clean'))?.required, true);
  } finally {
    await h.close();
  }
});

test('a mandatory hook that names a configured command runs it (no shell) once the user agrees', async () => {
  const dir = await makeProject('## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n', {
    '.specify/extensions.yml': 'hooks:\n  before_implement:\n    - command: check\n      optional: false\n',
  });
  const h = await startHarness({ dir });
  h.mock.setHandler((request) =>
    turnOf(request) === 0
      ? toolCall('propose_edit', { kind: 'create', path: 'src/a.js', content: 'a' })
      : complete(['src/a.js']),
  );
  try {
    const marker = join(dir, 'hook-ran');
    const run = h.engine.start({
      root: dir,
      settings: {
        ...settings,
        commands: { check: [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'yes')`] },
      },
    });
    const result = await run.done;
    assert.equal(result.outcome, 'completed', result.message);
    assert.ok(existsSync(marker));
    assert.ok(eventsOf(run.events(), 'log').some((l) => /before_implement hook 'check' ran/.test(l.message)));
  } finally {
    await h.close();
  }
});

test('unchecked checklists are asked about before the run; declining stops it', async () => {
  const dir = await makeProject('## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n', {
    'specs/001-demo/checklists/requirements.md': '- [x] one\n- [ ] two\n',
  });
  const h = await startHarness({ dir, confirm: (r) => r.kind !== 'checklists' });
  try {
    const plan = await h.engine.plan({ root: dir, settings });
    assert.deepEqual(
      plan.checklists.map((c) => [c.total, c.unchecked]),
      [[2, 1]],
    );
    const result = await h.engine.start(plan).done;
    assert.equal(result.outcome, 'cancelled');
    assert.match(h.confirms[0]?.detail ?? '', /1\/2 checked/);
    assert.equal(h.mock.requests.length, 0);
    assert.deepEqual(readdirSync(dir).sort(), ['.specify', 'specs']);
  } finally {
    await h.close();
  }
});
