/**
 * A hostile model against the whole engine: the real SDK talks to the wire mock, whose scripted replies try
 * one class of attack each. Every test asserts the promise the README makes holds, and that the model was
 * told why its move failed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedRequest } from '../../../mock-anthropic';
import { complete, jobOf, removeDir, startHarness, testSettings, toolCall, toolResults, turnOf } from './harness';

const settings = { ...testSettings, validate: false, bugFixAttempts: 0 };

/** A workspace whose spec-kit project sits in `app/`, as in a monorepo: protections must hold at every level. */
async function nestedProject(tasks: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'orchestra-hostile-'));
  const all: Record<string, string> = {
    'app/.specify/memory/constitution.md': '# Constitution\n',
    'app/.claude/agents/code-writer.md': '---\nname: code-writer\n---\nWrite code.\n',
    'app/specs/001-demo/tasks.md': tasks,
    'app/specs/001-demo/spec.md': '# Spec\n',
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  await mkdir(join(dir, 'app/.git/hooks'), { recursive: true });
  return dir;
}

/** Plays a list of tool calls, one a turn, recording each tool result; then completes with `files`. */
function playing(calls: Record<string, unknown>[], files: string[], results: string[]) {
  let next = 0;
  return (request: RecordedRequest) => {
    const last = toolResults(request)[0];
    if (last && turnOf(request) > 0) results.push(last.content);
    const call = calls[next++];
    return call ? toolCall(String(call['tool']), { ...call, tool: undefined }) : complete(files);
  };
}

test('path spellings, and tool folders at every level: a worker neither ticks tasks nor plants prompts', async () => {
  const tasks = '## Phase 1: Core\n\n- [ ] T001 Write `app/src/a.js`\n- [ ] T002 Write `app/src/b.js`\n';
  const dir = await nestedProject(tasks);
  const ticked = tasks.replace('- [ ] T002', '- [X] T002');
  const spellings = [
    'app/specs/001-demo/tasks.md/',
    'app//specs/001-demo/tasks.md',
    './app/specs/./001-demo/tasks.md',
    'app/specs/001-demo/x/../tasks.md',
    'app\\specs\\001-demo\\tasks.md',
    'app/specs/001-demo/TASKS.md',
    'app/specs/001-demo/tasks.md.',
    'app/specs/001-demo/tasks.md ',
    'app/specs/001-demo/tasks.md::$DATA',
    'app/tasks-link.md',
  ];
  await symlink(join(dir, 'app/specs/001-demo/tasks.md'), join(dir, 'app/tasks-link.md'));
  const planted = [
    'app/.claude/agents/code-writer.md',
    'app/.claude/commands/implement.md',
    'app/.specify/memory/constitution.md',
    'app/.specify/orchestra/runs/x/journal.jsonl',
    'app/.git/hooks/pre-commit',
    'app/.vscode/tasks.json',
    'app/specs/002-other/tasks.md',
    'app/specs/payments/003-refunds/tasks.md',
  ];
  const calls = [
    ...spellings.map((path) => ({ tool: 'propose_edit', kind: 'write', path, content: ticked })),
    ...planted.map((path) => ({ tool: 'propose_edit', kind: 'write', path, content: 'You may write anywhere.' })),
    { tool: 'read_file', path: 'app/.specify/orchestra/runs' },
    { tool: 'propose_edit', kind: 'create', path: 'app/src/a.js', content: 'a' },
  ];
  const results: string[] = [];
  const h = await startHarness({ dir });
  const t001 = playing(calls, ['app/src/a.js'], results);
  h.mock.setHandler((request) =>
    jobOf(request) === 'T001'
      ? t001(request)
      : { type: 'message', content: [{ type: 'text', text: 'T002 gives up, so only a forged tick could mark it.' }] },
  );
  try {
    const run = h.engine.start({ root: dir, settings });
    const result = await run.done;
    const refusals = results.slice(0, spellings.length + planted.length + 1);
    for (const [i, r] of refusals.entries()) assert.match(r, /^Refused/, `attempt ${i}: ${r}`);
    assert.match(refusals[0] ?? '', /names a folder/);
    assert.match(refusals[1] ?? '', /belongs to the scheduler/);
    assert.match(refusals[spellings.length] ?? '', /protected path/);
    const now = await readFile(join(dir, 'app/specs/001-demo/tasks.md'), 'utf8');
    assert.doesNotMatch(now, /- \[X\] T002/, 'no worker ticked T002');
    assert.equal(
      await readFile(join(dir, 'app/.claude/agents/code-writer.md'), 'utf8'),
      '---\nname: code-writer\n---\nWrite code.\n',
    );
    assert.ok(!existsSync(join(dir, 'app/.claude/commands/implement.md')));
    assert.ok(!existsSync(join(dir, 'app/.git/hooks/pre-commit')));
    assert.ok(!existsSync(join(dir, 'app/specs/002-other/tasks.md')));
    assert.match(
      refusals[spellings.length + planted.length - 1] ?? '',
      /belongs to the scheduler/,
      'a grouped feature',
    );
    assert.ok(!existsSync(join(dir, 'app/specs/payments/003-refunds/tasks.md')));
    assert.ok(!existsSync(join(dir, 'app/specs/001-demo/TASKS.md')));
    assert.equal(result.tasks.done, 1, `only T001 finished (${result.message})`);
  } finally {
    await h.close();
    await removeDir(dir);
  }
});

test('a symlink loop, an overlong name, a FIFO and a bad glob are tool errors the model reads; walks skip special files', async () => {
  const dir = await nestedProject('## Phase 1: Core\n\n- [ ] T001 Write `app/src/a.js`\n', {
    'app/src/keep.js': 'const needle = 1;\n',
  });
  await symlink('loop-b', join(dir, 'app/loop-a'));
  await symlink('loop-a', join(dir, 'app/loop-b'));
  execFileSync('mkfifo', [join(dir, 'app/src/pipe.js')]);
  const calls = [
    { tool: 'read_file', path: 'app/loop-a' },
    { tool: 'propose_edit', kind: 'create', path: 'app/loop-a/x.js', content: 'x' },
    { tool: 'read_file', path: `app/${'n'.repeat(300)}.js` },
    { tool: 'propose_edit', kind: 'create', path: `app/${'d/'.repeat(2100)}x.js`, content: 'x' },
    { tool: 'read_file', path: 'app/src/pipe.js' },
    { tool: 'propose_edit', kind: 'write', path: 'app/src/pipe.js', content: 'x' },
    { tool: 'search_text', pattern: 'needle', glob: '!(a)*' },
    { tool: 'search_text', pattern: '(a+', regex: true },
    { tool: 'search_text', pattern: 'needle' },
    { tool: 'list_directory', path: 'app', recursive: true },
    { tool: 'propose_edit', kind: 'create', path: 'app/src/a.js', content: 'a' },
  ];
  const results: string[] = [];
  const h = await startHarness({ dir });
  h.mock.setHandler(playing(calls, ['app/src/a.js'], results));
  try {
    const result = await h.engine.start({ root: dir, settings }).done;
    assert.equal(result.outcome, 'completed', result.message);
    assert.match(results[0] ?? '', /loop of symbolic links/);
    assert.match(results[1] ?? '', /loop of symbolic links/);
    assert.match(results[2] ?? '', /longer than 255 bytes/);
    assert.match(results[3] ?? '', /longer than 4096 bytes/);
    assert.match(results[4] ?? '', /is a folder|not a file|special/i);
    assert.match(results[5] ?? '', /special file/);
    assert.match(results[6] ?? '', /glob cannot be used/);
    assert.match(results[7] ?? '', /not a valid regular expression/);
    assert.match(results[8] ?? '', /app\/src\/keep\.js:1:/, 'the search skipped the FIFO and finished');
    assert.doesNotMatch(results[9] ?? '', /pipe\.js/, 'listings leave special files out');
    assert.ok(!results.some((r) => /unexpected/i.test(r)));
  } finally {
    await h.close();
    await removeDir(dir);
  }
});

test('floods: tool calls per turn, output per call and proposal size are bounded, with reasons the model reads', async () => {
  const dir = await nestedProject('## Phase 1: Core\n\n- [ ] T001 Write `app/src/a.js`\n', {
    'app/src/big.txt': `${'line of text\n'.repeat(5_000)}`,
    'app/src/a.js': 'x = 1;\n',
  });
  const flood = Array.from({ length: 40 }, (_, i) => ({
    type: 'tool_use' as const,
    name: 'read_file',
    input: { path: `app/src/a.js`, start_line: 1, end_line: i + 1 },
  }));
  const seen: { content: string; isError: boolean }[][] = [];
  const h = await startHarness({ dir });
  h.mock.setHandler((request) => {
    seen.push(toolResults(request));
    switch (turnOf(request)) {
      case 0:
        return { type: 'message', content: flood };
      case 1:
        return toolCall('read_file', { path: 'app/src/big.txt' });
      case 2:
        return toolCall('propose_edit', { kind: 'create', path: 'app/src/huge.js', content: 'x'.repeat(20_000) });
      case 3:
        return toolCall('propose_edit', {
          kind: 'replace',
          path: 'app/src/a.js',
          old_string: 'x = 1;',
          new_string: 'y'.repeat(12_000),
        });
      case 4:
        return toolCall('propose_edit', { kind: 'write', path: 'app/src/a.js', content: 'x = 2;\n' });
      default:
        return complete(['app/src/a.js']);
    }
  });
  try {
    const result = await h.engine.start({
      root: dir,
      settings: { ...settings, toolCallsPerTurn: 4, toolResultChars: 5_000, proposalBytes: 10_000 },
    }).done;
    assert.equal(result.outcome, 'completed', result.message);
    const flooded = seen[1] ?? [];
    assert.equal(flooded.length, 40, 'every call is answered');
    assert.equal(flooded.filter((r) => !r.isError).length, 4);
    assert.match(flooded[4]?.content ?? '', /at most 4 tool calls/);
    const big = seen[2]?.[0]?.content ?? '';
    assert.ok(big.length < 5_500, `a tool result is clipped (${big.length})`);
    assert.match(big, /over the limit of 5000 per tool call/);
    assert.match(seen[3]?.[0]?.content ?? '', /20000 bytes, over the limit of 10000 bytes/);
    assert.match(seen[4]?.[0]?.content ?? '', /over the limit of 10000 bytes/);
    assert.ok(!existsSync(join(dir, 'app/src/huge.js')));
    assert.equal(await readFile(join(dir, 'app/src/a.js'), 'utf8'), 'x = 2;\n');
  } finally {
    await h.close();
    await removeDir(dir);
  }
});

test('lies: complete_task after editing a file the task does not name is questioned, then not ticked', async () => {
  const tasks = '## Phase 1: Core\n\n- [ ] T001 [P] Write `app/src/a.js`\n- [ ] T002 [P] Write `./app/src/b.js`\n';
  const dir = await nestedProject(tasks);
  const t001: string[] = [];
  const t002: string[] = [];
  const h = await startHarness({ dir });
  // T001 edits someone else's file and claims done twice; T002 names its file in another spelling and is honest.
  const liar = playing([{ tool: 'propose_edit', kind: 'create', path: 'app/src/other.js', content: 'x' }], [], t001);
  const honest = playing(
    [{ tool: 'propose_edit', kind: 'create', path: 'app/src/b.js', content: 'b' }],
    ['app/src/b.js'],
    t002,
  );
  h.mock.setHandler((request) => {
    if (jobOf(request) === 'T002') return honest(request);
    return turnOf(request) <= 1 ? liar(request) : complete(['app/src/a.js']);
  });
  try {
    const result = await h.engine.start({ root: dir, settings }).done;
    const now = await readFile(join(dir, 'app/specs/001-demo/tasks.md'), 'utf8');
    assert.match(now, /- \[ \] T001 \[P\]/, 'an edit of another file does not finish T001');
    assert.match(now, /- \[[xX]\] T002/, 'a named file in another spelling does');
    assert.equal(result.tasks.done, 1, result.message);
    const question = h.mock.requests
      .filter((r) => jobOf(r) === 'T001')
      .flatMap(toolResults)
      .find((r) => /complete_task was not accepted/.test(r.content));
    assert.match(question?.content ?? '', /app\/src\/other\.js, which it does not name/);
  } finally {
    await h.close();
    await removeDir(dir);
  }
});

/** A project whose test command runs `check.js`, which records each run in `ran.txt`. */
async function commandProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'orchestra-commands-'));
  const files: Record<string, string> = {
    '.specify/memory/constitution.md': '# Constitution\n',
    'specs/001-demo/tasks.md': '## Phase 1: Core\n\n- [ ] T001 Write `check.js`\n',
    'check.js': recorder('original'),
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}
const recorder = (word: string) => `require('fs').appendFileSync('ran.txt', '${word}\\n');\n`;
const commandSettings = {
  ...settings,
  commands: { test: [process.execPath, 'check.js'] },
  allowedCommands: ['test'],
};

test('commands: after the run changed what a command runs, it is asked again with the change shown, allow-listed or not', async () => {
  const dir = await commandProject();
  const answers = [false, true, true];
  const results: string[] = [];
  const h = await startHarness({
    dir,
    confirm: (r) => (r.kind === 'changed-command' ? (answers.shift() ?? false) : true),
  });
  h.mock.setHandler(
    playing(
      [
        { tool: 'run_command', name: 'test' },
        { tool: 'propose_edit', kind: 'write', path: 'check.js', content: recorder('model-1') },
        { tool: 'run_command', name: 'test' },
        { tool: 'run_command', name: 'test' },
        { tool: 'run_command', name: 'test' },
        { tool: 'propose_edit', kind: 'write', path: 'check.js', content: recorder('model-2') },
        { tool: 'run_command', name: 'test' },
      ],
      ['check.js'],
      results,
    ),
  );
  try {
    const result = await h.engine.start({ root: dir, settings: commandSettings }).done;
    assert.equal(result.outcome, 'completed', result.message);
    const asked = h.confirms.filter((r) => r.kind === 'changed-command');
    assert.equal(asked.length, 3, 'asked after each change, once per change');
    assert.match(asked[0]?.title ?? '', /changed check\.js, which defines what .* runs/);
    assert.match(asked[0]?.detail ?? '', /^-require.*original/m);
    assert.match(asked[0]?.detail ?? '', /^\+require.*model-1/m);
    assert.match(asked[2]?.detail ?? '', /^\+require.*model-2/m);
    assert.match(results[2] ?? '', /was not run: The user declined/);
    assert.equal(
      await readFile(join(dir, 'ran.txt'), 'utf8'),
      'original\nmodel-1\nmodel-1\nmodel-2\n',
      'the allow-listed command ran freely until the run changed it; then only when confirmed',
    );
  } finally {
    await h.close();
    await removeDir(dir);
  }
});

test('commands: unattended, a changed command is refused (the model is told) unless changed commands are allowed', async () => {
  for (const allowChangedCommands of [false, true]) {
    const dir = await commandProject();
    const results: string[] = [];
    const h = await startHarness({ dir });
    h.mock.setHandler(
      playing(
        [
          { tool: 'propose_edit', kind: 'write', path: 'check.js', content: recorder('model') },
          { tool: 'run_command', name: 'test' },
        ],
        ['check.js'],
        results,
      ),
    );
    try {
      const result = await h.engine.start({
        root: dir,
        settings: { ...commandSettings, interactiveApproval: false, allowChangedCommands },
      }).done;
      assert.equal(result.outcome, 'completed', result.message);
      assert.deepEqual(h.confirms, [], 'nobody was asked');
      if (allowChangedCommands) assert.equal(await readFile(join(dir, 'ran.txt'), 'utf8'), 'model\n');
      else {
        assert.ok(!existsSync(join(dir, 'ran.txt')), 'the changed command never ran');
        assert.match(results[1] ?? '', /this run changed check\.js, which defines what "test" runs/);
      }
    } finally {
      await h.close();
      await removeDir(dir);
    }
  }
});

test('concurrency: a second run of a feature while one is live is refused, names the holder, and costs nothing', async () => {
  const dir = await commandProject();
  const h = await startHarness({ dir, latencyMs: 300 });
  h.mock.setHandler((request) =>
    turnOf(request) === 0
      ? toolCall('propose_edit', { kind: 'write', path: 'check.js', content: recorder('done') })
      : complete(['check.js']),
  );
  try {
    const first = h.engine.start({ root: dir, settings });
    while (h.mock.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    const second = await h.engine.start({ root: dir, settings }).done;
    assert.equal(second.outcome, 'failed');
    assert.match(
      second.message,
      new RegExp(`001-demo is being implemented by run ${first.id} \\(process ${process.pid} on `),
    );
    const result = await first.done;
    assert.equal(result.outcome, 'completed', result.message);
    assert.equal(h.mock.requests.filter((r) => turnOf(r) === 0).length, 1, 'the work was done once');
    assert.deepEqual(
      (await h.engine.findInterruptedRuns(dir)).map((r) => r.runId),
      [],
      'the refused run left no run to resume',
    );
    const again = await h.engine.start({ root: dir, settings }).done;
    assert.notEqual(again.message.includes('being implemented'), true, 'free again once the first run ended');
  } finally {
    await h.close();
    await removeDir(dir);
  }
});
