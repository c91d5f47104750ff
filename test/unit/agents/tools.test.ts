import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalRecord } from '../../../src/protocol/journal';
import { builtinTools, createToolExecutor } from '../../../src/core/agents/tools/builtin-tools';
import type { ToolContext } from '../../../src/core/agents/tools/tool';
import { CommandService } from '../../../src/core/engine/commands/command-service';
import type { CommandRunner } from '../../../src/core/ports/command-runner';
import { ApprovalGate } from '../../../src/core/engine/gate/approval-gate';
import type { ProposalDecision } from '../../../src/core/ports/consent';
import { defaultWriteScopes } from '../../../src/core/agents/definitions/write-scope';
import { NodeWorkspace } from '../../../src/core/engine/workspace/node-workspace';
import { never, tempProject } from '../engine/temp-dir';

async function setUp(decisions: ProposalDecision[] = [], role: ToolContext['role'] = 'code-writer') {
  const root = await tempProject({
    'src/a.ts': 'line 1\nline 2\nline 3\n',
    'src/twice.ts': 'same\nsame\n',
    '.gitignore': 'build/\n',
    'build/out.js': 'line 1',
    '.env': 'SECRET=1',
  });
  const records: JournalRecord[] = [];
  const journal = {
    append: async (r: JournalRecord) => void records.push(r),
    storeBlob: async () => ({ kind: 'none' }) as const,
  };
  const workspace = new NodeWorkspace(root);
  const gate = new ApprovalGate({
    workspace,
    journal,
    policy: 'ask',
    approver: { decide: async () => decisions.shift() ?? { kind: 'accept' } },
  });
  const argvSeen: (readonly string[])[] = [];
  const runner: CommandRunner = {
    run: async (argv) => {
      argvSeen.push(argv);
      const output = 'HEAD\n' + 'x\n'.repeat(10) + 'TAIL';
      return {
        kind: 'exited',
        exitCode: 1,
        signal: null,
        stdout: output,
        stderr: '',
        truncated: false,
        timedOut: false,
        aborted: false,
        durationMs: 12,
      };
    },
  };
  const commands = new CommandService({
    commands: { test: ['npm', 'test'], build: ['npm', 'run', 'build'] },
    allowList: ['test'],
    runner,
    cwd: root,
    journal,
  });
  const executor = createToolExecutor(builtinTools, {
    workspace,
    taskKey: 'T001',
    workerId: 'w1',
    role,
    writeScope: defaultWriteScopes[role],
    proposeEdit: (edit, reason, signal) =>
      gate.propose(edit, {
        taskKey: 'T001',
        workerId: 'w1',
        role,
        signal,
        ...(reason !== undefined ? { reason } : {}),
      }),
    runCommand: (name, signal) => commands.run(name, { taskKey: 'T001', workerId: 'w1', signal }),
    commandNames: commands.names,
  });
  const call = (name: string, input: unknown) => executor.execute({ id: 'c', name, input }, never);
  return { root, call, records, argvSeen, executor };
}

test('tool specs are JSON Schema objects, sorted, for the model', async () => {
  const { executor } = await setUp();
  assert.deepEqual(
    executor.specs.map((s) => s.name),
    ['complete_task', 'list_directory', 'propose_edit', 'read_file', 'run_command', 'search_text'],
  );
  for (const spec of executor.specs) assert.equal(spec.inputSchema['type'], 'object', spec.name);
  // Built once per definition and shared by every worker, so frozen: no worker can change another's schema.
  const again = await setUp();
  executor.specs.forEach((spec, i) => assert.equal(again.executor.specs[i], spec));
  const [first] = executor.specs;
  assert.ok(first && Object.isFrozen(first.inputSchema) && Object.isFrozen(first.inputSchema['properties']));
  assert.throws(() => {
    if (first) first.inputSchema['type'] = 'string';
  }, TypeError);
});

test('unknown tool and invalid input are correctable error results, never a throw', async () => {
  const { call } = await setUp();
  const unknown = await call('rm_rf', {});
  assert.equal(unknown.isError, true);
  assert.match(unknown.content, /Unknown tool "rm_rf".*read_file/);
  const bad = await call('read_file', { path: 42 });
  assert.equal(bad.isError, true);
  assert.match(bad.content, /Invalid input for read_file[\s\S]*path/);
  const missingField = await call('propose_edit', { kind: 'replace', path: 'src/a.ts', old_string: 'x' });
  assert.match(missingField.content, /new_string is required/);
  assert.equal((await call('complete_task', 'not an object')).isError, true);
});

test('read_file: content, line range, and path escapes refused', async () => {
  const { call } = await setUp();
  assert.equal((await call('read_file', { path: 'src/a.ts' })).content, 'src/a.ts (4 lines)\nline 1\nline 2\nline 3\n');
  assert.equal(
    (await call('read_file', { path: 'src/a.ts', start_line: 2, end_line: 2 })).content,
    'src/a.ts (lines 2-2 of 4)\nline 2',
  );
  for (const path of ['../etc/passwd', '/etc/passwd', '.git/config', '.env']) {
    const r = await call('read_file', { path });
    assert.equal(r.isError, true, path);
    assert.match(r.content, /^Refused:/, path);
  }
  assert.match((await call('read_file', { path: 'nope.ts' })).content, /does not exist/);
});

test('list_directory and search_text respect .gitignore and the deny list', async () => {
  const { call } = await setUp();
  const listed = await call('list_directory', { recursive: true });
  assert.ok(!listed.content.includes('build') && !listed.content.includes('.env'));
  assert.match(listed.content, /src\/a\.ts/);
  const found = await call('search_text', { pattern: 'line 1' });
  assert.equal(found.content, 'src/a.ts:1: line 1');
  assert.equal((await call('search_text', { pattern: '(', regex: true })).isError, true);
});

test('propose_edit: accepted, not-found and found-twice errors, accepted-with-edits diff, rejected feedback, role scope', async () => {
  const { root, call } = await setUp([
    { kind: 'accept' },
    { kind: 'accept-with-edits', content: 'by the user\n' },
    { kind: 'reject', feedback: 'too broad' },
  ]);
  const ok = await call('propose_edit', {
    kind: 'replace',
    path: 'src/a.ts',
    old_string: 'line 2',
    new_string: 'LINE 2',
  });
  assert.deepEqual(ok, { content: 'Accepted: Updated src/a.ts.', isError: false });
  assert.equal(await readFile(join(root, 'src/a.ts'), 'utf8'), 'line 1\nLINE 2\nline 3\n');
  assert.match(
    (await call('propose_edit', { kind: 'replace', path: 'src/a.ts', old_string: 'line 9', new_string: 'x' })).content,
    /not found/,
  );
  assert.match(
    (await call('propose_edit', { kind: 'replace', path: 'src/twice.ts', old_string: 'same', new_string: 'x' }))
      .content,
    /occurs 2 times/,
  );
  const edited = await call('propose_edit', { kind: 'create', path: 'src/new.ts', content: 'by the agent\n' });
  assert.equal(edited.isError, false);
  assert.match(edited.content, /reviewer's own edits[\s\S]*-by the agent[\s\S]*\+by the user/);
  const rejected = await call('propose_edit', { kind: 'delete', path: 'src/a.ts' });
  assert.deepEqual(rejected, {
    content: 'Rejected: src/a.ts was not changed. Reviewer feedback: too broad',
    isError: true,
  });
  assert.match(
    (await call('propose_edit', { kind: 'write', path: 'package-lock.json', content: '{}' })).content,
    /^Refused: .*protected/,
  );

  const tester = await setUp([], 'test-writer');
  const outOfScope = await tester.call('propose_edit', { kind: 'write', path: 'src/a.ts', content: 'x' });
  assert.match(outOfScope.content, /^Refused: .*write scope/);
});

test('run_command: configured names only, allow-listed or asked, output passed on, journaled', async () => {
  const { call, argvSeen, records } = await setUp();
  const ran = await call('run_command', { name: 'test' });
  assert.equal(ran.isError, true, 'a failing test run is an error result');
  assert.match(ran.content, /^\$ npm test\nexited with code 1[\s\S]*HEAD[\s\S]*TAIL/);
  assert.deepEqual(argvSeen, [['npm', 'test']]);
  const unknown = await call('run_command', { name: 'rm -rf /' });
  assert.match(unknown.content, /not a configured command. Configured: build, test/);
  const denied = await call('run_command', { name: 'build' });
  assert.match(denied.content, /not allow-listed/);
  assert.deepEqual(
    records.filter((r) => r.type === 'command-run').map((r) => r.type === 'command-run' && r.outcome),
    ['exited', 'denied'],
  );
});

test('complete_task returns the completion for the scheduler', async () => {
  const { call } = await setUp();
  const done = await call('complete_task', { summary: 'did it', files_touched: ['src/a.ts'] });
  assert.deepEqual(done.completion, { summary: 'did it', filesTouched: ['src/a.ts'] });
});
