/**
 * Every worker's instruction is built from its slash command: spec-kit mode wraps each task in
 * /spec-kit:implement (its id and text as $ARGUMENTS), then the role's own command; the validation reviewers
 * get /review:code and /review:security. The project's .claude/commands files override each, and their
 * allowed-tools narrow the worker's tools.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedRequest } from '../../../mock-anthropic';
import {
  eventsOf,
  firstUserText,
  jobOf,
  makeProject,
  startHarness,
  testSettings,
  plannerThen,
  wellBehaved,
} from './harness';

function toolNames(request: RecordedRequest): string[] {
  return ((request.body as { tools?: { name: string }[] } | undefined)?.tools ?? []).map((t) => t.name).sort();
}

/** The `## /name args` headings the instruction opens with, in order. */
function commandHeadings(request: RecordedRequest): string[] {
  return [...firstUserText(request).matchAll(/^## \/(\S+) (.*)$/gm)].map((m) => `/${m[1]} ${m[2]}`);
}

function firstRequestOf(requests: readonly RecordedRequest[], job: string): RecordedRequest {
  const found = requests.find((r) => jobOf(r) === job);
  assert.ok(found, `a request for ${job}`);
  return found;
}

test('spec-kit mode: each task wrapped in /spec-kit:implement with its id and text, then its role command; reviews by /review:code and /review:security', async () => {
  const h = await startHarness();
  try {
    h.mock.setHandler(wellBehaved((path) => existsSync(join(h.dir, path))));
    const plan = await h.engine.plan({ root: h.dir, settings: testSettings });
    const commandsOf = (id: string) => plan.tasks.find((t) => t.id === id)?.commands;
    assert.deepEqual(commandsOf('T001'), ['spec-kit:implement', 'implement']);
    assert.deepEqual(commandsOf('T004'), ['spec-kit:implement', 'test']);
    assert.deepEqual(commandsOf('T009'), ['spec-kit:implement', 'docs:generate']);
    assert.deepEqual(
      plan.commands.map((c) => [c.name, c.source]),
      [
        ['docs:generate', 'built-in'],
        ['implement', 'built-in'],
        ['review:code', 'built-in'],
        ['review:security', 'built-in'],
        ['spec-kit:implement', 'built-in'],
        ['test', 'built-in'],
      ],
    );

    const run = h.engine.start(plan);
    const result = await run.done;
    assert.equal(result.outcome, 'completed', result.message);
    const requests = h.mock.requests;
    const t004Text = 'T004 Write tests for creating and listing todos in `test/todo-store.test.js` (FR-001, FR-002)';
    assert.deepEqual(commandHeadings(firstRequestOf(requests, 'T004')), [
      `/spec-kit:implement ${t004Text}`,
      `/test ${t004Text}`,
    ]);
    const t004 = firstUserText(firstRequestOf(requests, 'T004'));
    assert.match(t004, /^## \/spec-kit:implement T004 /, 'the instruction opens the message');
    assert.match(t004, /Implement task T004 of this spec-kit feature/, 'the template is filled in');
    assert.match(t004, /# Task T004: /, 'the task context follows');
    assert.deepEqual(
      commandHeadings(firstRequestOf(requests, 'T009')).map((h) => h.split(' ')[0]),
      ['/spec-kit:implement', '/docs:generate'],
    );
    const review = commandHeadings(firstRequestOf(requests, 'code review'));
    assert.equal(review.length, 1);
    assert.match(
      review[0] ?? '',
      /^\/review:code .*\bsrc\/todo-store\.js\b/,
      'the review covers the files the run changed',
    );
    assert.match(commandHeadings(firstRequestOf(requests, 'security review'))[0] ?? '', /^\/review:security /);

    const started = eventsOf(run.events(), 'worker-started');
    assert.deepEqual(started.find((w) => w.taskKey === plan.tasks[3]?.key)?.commands, ['spec-kit:implement', 'test']);
    assert.deepEqual(started.find((w) => w.taskKey === 'validation:code-review')?.commands, ['review:code']);
    const runStarted = eventsOf(run.events(), 'run-started')[0];
    assert.deepEqual(runStarted?.tasks.find((t) => t.id === 'T009')?.commands, ['spec-kit:implement', 'docs:generate']);
  } finally {
    await h.close();
  }
});

test(".claude/commands overrides reach the workers; allowed-tools narrows a command's tools", async () => {
  const h = await startHarness();
  try {
    const commands = join(h.dir, '.claude', 'commands');
    mkdirSync(join(commands, 'review'), { recursive: true });
    mkdirSync(join(commands, 'spec-kit'), { recursive: true });
    writeFileSync(
      join(commands, 'review', 'code.md'),
      '---\ndescription: Acme review\nargument-hint: <files>\n---\nMARKER-REVIEW: review $ARGUMENTS the Acme way.\n',
    );
    writeFileSync(join(commands, 'spec-kit', 'implement.md'), 'MARKER-WRAPPER for task $1 ($ARGUMENTS).\n');
    writeFileSync(
      join(commands, 'test.md'),
      '---\ndescription: Read-only test review\nallowed-tools: Read, Grep\n---\nMARKER-TEST: only look at $ARGUMENTS.\n',
    );
    h.mock.setHandler(wellBehaved((path) => existsSync(join(h.dir, path))));
    const plan = await h.engine.plan({ root: h.dir, settings: testSettings, onlyTasks: ['T001', 'T004'] });
    assert.deepEqual(
      plan.commands.filter((c) => c.source !== 'built-in').map((c) => [c.name, c.source, c.allowedTools]),
      [
        ['review:code', '.claude/commands/review/code.md', undefined],
        ['spec-kit:implement', '.claude/commands/spec-kit/implement.md', undefined],
        ['test', '.claude/commands/test.md', ['read_file', 'search_text']],
      ],
    );
    const result = await h.engine.start(plan).done;
    const requests = h.mock.requests;

    const t001 = firstUserText(firstRequestOf(requests, 'T001'));
    assert.match(t001, /MARKER-WRAPPER for task T001 \(T001 Create the public entry point/);
    assert.match(t001, /^## \/implement T001 /m, 'the built-in /implement still follows');
    assert.deepEqual(toolNames(firstRequestOf(requests, 'T001')), [
      'complete_task',
      'list_directory',
      'propose_edit',
      'read_file',
      'run_command',
      'search_text',
    ]);

    const t004 = firstRequestOf(requests, 'T004');
    assert.match(firstUserText(t004), /MARKER-TEST: only look at T004 Write tests/);
    assert.match(firstUserText(t004), /^Read-only test review$/m, 'the description is part of the instruction');
    assert.deepEqual(toolNames(t004), ['complete_task', 'read_file', 'search_text'], 'allowed-tools narrows');
    // Without propose_edit the test-writer cannot write its file: the task is questioned, then fails.
    assert.equal(result.tasks.done, 1, result.message);

    const review = firstUserText(firstRequestOf(requests, 'code review'));
    assert.match(
      review,
      /^## \/review:code .*\nAcme review \(arguments: <files>\)\n\nMARKER-REVIEW: review .* the Acme way\./m,
    );
    assert.ok(toolNames(firstRequestOf(requests, 'code review')).includes('report_findings'), 'report tools stay');
  } finally {
    await h.close();
  }
});

test('a task that restructures code, or names many files, is delegated with /refactor:large-scale', async () => {
  const many = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `\`src/${n}.js\``).join(', ');
  const dir = await makeProject(
    `# Tasks\n\n## Phase 1: Core\n\n- [ ] T001 Refactor the store into one module per entity in \`src/store.js\`\n- [ ] T002 Add a helper in \`src/help.js\`\n- [ ] T003 Rename the logger calls in ${many}\n`,
  );
  const h = await startHarness({ dir });
  try {
    const plan = await h.engine.plan({ root: dir, settings: { ...testSettings, validate: false } });
    assert.deepEqual(
      plan.tasks.map((t) => t.commands),
      [
        ['spec-kit:implement', 'refactor:large-scale'],
        ['spec-kit:implement', 'implement'],
        ['spec-kit:implement', 'refactor:large-scale'],
      ],
    );
  } finally {
    await h.close();
  }
});

test('fallback mode: no spec-kit wrapper; a Review-phase task goes to the reviewer with /review:code', async () => {
  const dir = await makeProject('');
  const { rmSync } = await import('node:fs');
  rmSync(join(dir, 'specs'), { recursive: true, force: true });
  rmSync(join(dir, '.specify'), { recursive: true, force: true });
  const h = await startHarness({ dir });
  const workers = wellBehaved((path) => existsSync(join(dir, path)));
  h.mock.setHandler(
    plannerThen(
      {
        title: 'Greeter',
        slug: 'greeter',
        complexity: 'small',
        rationale: 'One module, one test, one review.',
        phases: [
          { name: 'Core', tasks: [{ description: 'Write the greeter', files: ['src/greet.js'], parallel: false }] },
          {
            name: 'Testing',
            tasks: [{ description: 'Test the greeter', files: ['test/greet.test.js'], parallel: false }],
          },
          {
            name: 'Review',
            tasks: [{ description: 'Review the greeter', files: ['src/greet.js'], parallel: false }],
          },
        ],
      },
      workers,
    ),
  );
  try {
    const plan = await h.engine.plan({
      root: dir,
      request: 'a greeter',
      settings: { ...testSettings, validate: false },
    });
    assert.deepEqual(
      plan.tasks.map((t) => [t.id, t.role, t.commands]),
      [
        ['T001', 'code-writer', ['implement']],
        ['T002', 'test-writer', ['test']],
        ['T003', 'reviewer', ['review:code']],
      ],
    );
    assert.equal(plan.tasks[2]?.roleReason, 'it is in the Review phase');
    const result = await h.engine.start(plan).done;
    assert.equal(result.outcome, 'completed', result.message);
    const review = firstRequestOf(h.mock.requests, 'T003');
    assert.deepEqual(commandHeadings(review), ['/review:code T003 Review the greeter in `src/greet.js`']);
    assert.match(
      ((review.body as { system?: { text: string }[] }).system ?? [])[0]?.text ?? '',
      /careful code reviewer/,
      "the reviewer's prompt",
    );
  } finally {
    await h.close();
  }
});
