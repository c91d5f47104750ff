import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, symlinkSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reply, type MockReply, type RecordedRequest } from '../../../mock-anthropic';
import {
  complete,
  eventsOf,
  jobOf,
  makeProject,
  startHarness,
  testSettings,
  toolCall,
  toolResults,
  turnOf,
} from './harness';

const settings = { ...testSettings, validate: false, bugFixAttempts: 0 };

async function runWith(
  tasks: string,
  files: Record<string, string>,
  script: (request: RecordedRequest) => MockReply,
  extra: Partial<typeof settings> & { budgetUsd?: number } = {},
) {
  const dir = await makeProject(tasks, files);
  const h = await startHarness({ dir });
  h.mock.setHandler(script);
  const run = h.engine.start({ root: dir, settings: { ...settings, ...extra } });
  const result = await run.done;
  return { h, dir, run, result };
}

test('unknown tool, schema-invalid input, search text absent or twice: error results the model corrects', async () => {
  const seen: { content: string; isError: boolean }[][] = [];
  const { h, dir, result } = await runWith(
    '## Phase 1: Core\n\n- [ ] T001 Change `src/a.js`\n',
    { 'src/a.js': 'x = 1;\nx = 1;\n' },
    (request) => {
      seen.push(toolResults(request));
      switch (turnOf(request)) {
        case 0:
          return toolCall('rm_rf', { path: '/' });
        case 1:
          return toolCall('propose_edit', { kind: 'create' });
        case 2:
          return toolCall('propose_edit', { kind: 'replace', path: 'src/a.js', old_string: 'y = 2;', new_string: 'z' });
        case 3:
          return toolCall('propose_edit', { kind: 'replace', path: 'src/a.js', old_string: 'x = 1;', new_string: 'z' });
        case 4:
          return toolCall('propose_edit', { kind: 'write', path: 'src/a.js', content: 'x = 2;\n' });
        default:
          return complete(['src/a.js']);
      }
    },
  );
  try {
    assert.equal(result.outcome, 'completed', result.message);
    assert.match(seen[1]?.[0]?.content ?? '', /Unknown tool/);
    assert.match(seen[2]?.[0]?.content ?? '', /Invalid input for propose_edit/);
    assert.match(seen[3]?.[0]?.content ?? '', /not found/);
    assert.match(seen[4]?.[0]?.content ?? '', /occurs 2 times/);
    assert.ok(seen.slice(1, 5).every((r) => r[0]?.isError === true));
    assert.equal(readFileSync(join(dir, 'src/a.js'), 'utf8'), 'x = 2;\n');
  } finally {
    await h.close();
  }
});

test('path escapes (.., absolute, symlink out, .git/, .env) are refused and nothing outside the workspace is touched', async () => {
  const outside = mkdtempSync(join(tmpdir(), 'orchestra-outside-'));
  const attempts = [
    '../escape.txt',
    join(outside, 'abs.txt'),
    'link/evil.txt',
    '.git/config',
    '.env',
    'src/../../up.txt',
  ];
  let n = 0;
  const results: string[] = [];
  const dir = await makeProject('## Phase 1: Core\n\n- [ ] T001 Write `src/ok.js`\n', { 'src/keep.js': '' });
  symlinkSync(outside, join(dir, 'link'));
  const h = await startHarness({ dir });
  h.mock.setHandler((request) => {
    const last = toolResults(request)[0];
    if (last) results.push(last.content);
    const path = attempts[n++];
    if (path !== undefined) return toolCall('propose_edit', { kind: 'create', path, content: 'pwned' });
    if (n === attempts.length + 1) return toolCall('read_file', { path: '../../etc/passwd' });
    if (n === attempts.length + 2)
      return toolCall('propose_edit', { kind: 'create', path: 'src/ok.js', content: 'ok' });
    return complete(['src/ok.js']);
  });
  try {
    const result = await h.engine.start({ root: dir, settings }).done;
    assert.equal(result.outcome, 'completed', result.message);
    assert.equal(
      results.filter((r) => /Refused|refused|outside|not allowed|denied/i.test(r)).length,
      attempts.length + 1,
      results.join('\n'),
    );
    assert.ok(!existsSync(join(dir, '..', 'escape.txt')));
    assert.ok(!existsSync(join(outside, 'abs.txt')) && !existsSync(join(outside, 'evil.txt')));
    assert.ok(!existsSync(join(dir, '.env')));
    assert.ok(!existsSync(join(dir, '.git', 'config')));
  } finally {
    await h.close();
    rmSync(outside, { recursive: true, force: true });
  }
});

test('a worker that never calls complete_task is nudged once, then the task fails and its dependents are skipped', async () => {
  const { h, result, run } = await runWith(
    '## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n- [ ] T002 Write `src/b.js`\n',
    {},
    (request) =>
      jobOf(request) === 'T001'
        ? { type: 'message', content: [{ type: 'text', text: 'All good, I think.' }] }
        : complete(),
  );
  try {
    assert.equal(result.outcome, 'failed');
    assert.equal(result.tasks.failed, 1);
    assert.equal(result.tasks.skipped, 1);
    const nudge = h.mock.requests.filter((r) => jobOf(r) === 'T001')[1];
    assert.ok(nudge && /without calling complete_task/.test(JSON.stringify(nudge.body)));
    assert.ok(eventsOf(run.events(), 'task-status').some((e) => e.taskKey === 'T002' && e.status === 'skipped'));
    assert.ok(!h.mock.requests.some((r) => jobOf(r) === 'T002'), 'the dependent task never ran');
  } finally {
    await h.close();
  }
});

test('a worker that claims done without the edits is questioned once, then not ticked', async () => {
  const { h, dir, result } = await runWith('## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n', {}, () =>
    complete(['src/a.js']),
  );
  try {
    assert.equal(result.outcome, 'failed');
    assert.equal(h.mock.requests.length, 2, 'one follow-up turn');
    assert.match(JSON.stringify(h.mock.requests[1]?.body), /no change to any file was applied/);
    assert.match(readFileSync(join(dir, 'specs/001-demo/tasks.md'), 'utf8'), /- \[ \] T001/);
  } finally {
    await h.close();
  }
});

test('a run whose budget cannot pay for one call makes none and ends budget-exceeded', async () => {
  const { h, result } = await runWith(
    '## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n- [ ] T002 Write `src/b.js`\n- [ ] T003 Write `src/c.js`\n',
    {},
    (request) =>
      turnOf(request) === 0
        ? toolCall('read_file', { path: 'specs/001-demo/tasks.md' })
        : toolCall('read_file', { path: 'specs/001-demo/tasks.md' }),
    { budgetUsd: 0.000001 },
  );
  try {
    assert.equal(result.outcome, 'budget-exceeded', result.message);
    assert.equal(h.mock.requests.length, 0, 'not even the first call fits: it is refused before it is sent');
  } finally {
    await h.close();
  }
});

test('a refused key or an unknown model stops the run and says which, as a value a face offers the fix for', async () => {
  for (const [status, type, cause] of [
    [401, 'authentication_error', 'credentials'],
    [403, 'permission_error', 'credentials'],
    [404, 'not_found_error', 'model'],
  ] as const) {
    const { h, result } = await runWith('## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n', {}, () =>
      reply.error(status, type, `the ${type} message`, { requestId: false }),
    );
    try {
      assert.equal(result.outcome, 'failed', `${status}: ${result.message}`);
      assert.equal(result.stoppedBy, cause, `${status}: ${result.message}`);
    } finally {
      await h.close();
    }
  }
  const { h, result } = await runWith('## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n', {}, () =>
    reply.error(400, 'invalid_request_error', 'this one request is wrong', { requestId: false }),
  );
  try {
    assert.equal(result.outcome, 'failed', result.message);
    assert.equal(result.stoppedBy, undefined, "a failure of one request is the task's, not the run's");
  } finally {
    await h.close();
  }
});

test('an edit that needs approval with nobody to ask ends needs-approval and writes nothing', async () => {
  const { h, dir, result } = await runWith(
    '## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n',
    {},
    (request) =>
      turnOf(request) === 0
        ? toolCall('propose_edit', { kind: 'create', path: 'src/a.js', content: 'x' })
        : complete(['src/a.js']),
    { approvalPolicy: 'ask', interactiveApproval: false },
  );
  try {
    assert.equal(result.outcome, 'needs-approval', result.message);
    assert.ok(!existsSync(join(dir, 'src/a.js')));
  } finally {
    await h.close();
  }
});

test('a worker may not tick its own task: tasks.md edits are refused; only the scheduler ticks', async () => {
  const results: string[] = [];
  const { h, dir, result } = await runWith('## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n', {}, (request) => {
    const last = toolResults(request)[0];
    if (last) results.push(last.content);
    switch (turnOf(request)) {
      case 0:
        return toolCall('propose_edit', {
          kind: 'replace',
          path: './specs/001-demo/tasks.md',
          old_string: '- [ ] T001',
          new_string: '- [X] T001',
        });
      case 1:
        return toolCall('propose_edit', { kind: 'create', path: 'src/a.js', content: 'a' });
      default:
        return complete(['src/a.js']);
    }
  });
  try {
    assert.equal(result.outcome, 'completed', result.message);
    assert.match(results[0] ?? '', /Refused: .*belongs to the scheduler/);
    assert.match(
      readFileSync(join(dir, 'specs/001-demo/tasks.md'), 'utf8'),
      /- \[X\] T001/,
      'ticked by the scheduler after the edit landed',
    );
  } finally {
    await h.close();
  }
});

test('starting from options with an unknown feature ends the run with the plan error, no model call', async () => {
  const dir = await makeProject('## Phase 1: Core\n\n- [ ] T001 Write `src/a.js`\n');
  const h = await startHarness({ dir });
  try {
    const result = await h.engine.start({ root: dir, feature: '042', settings }).done;
    assert.equal(result.outcome, 'failed');
    assert.match(result.message, /042/);
    assert.doesNotMatch(result.message, /unexpected/);
    assert.equal(h.mock.requests.length, 0);
  } finally {
    await h.close();
  }
});
