import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { builtInAgents } from '../../../src/core/agents/definitions/built-in-agents';
import { builtInCommands } from '../../../src/core/agents/definitions/built-in-commands';
import {
  commandInstruction,
  expandCommand,
  narrowTools,
  splitArguments,
} from '../../../src/core/agents/definitions/expand-command';
import type { CommandDefinition } from '../../../src/core/agents/definitions/agent-definition';
import { splitFrontMatter } from '../../../src/core/agents/definitions/front-matter';
import { loadDefinitions } from '../../../src/core/agents/definitions/load-definitions';
import { isToolName } from '../../../src/core/agents/tools/builtin-tools';
import { never, tempProject } from '../engine/temp-dir';

const fixture = join(__dirname, '..', '..', 'fixtures', 'agents', 'project');

test('built-in agents: every role, the three review modes, real prompts, known tools, budgets', () => {
  const names = builtInAgents.map((a) => a.name).sort();
  assert.deepEqual(names, [
    'bug-fixer',
    'code-writer',
    'completion-reviewer',
    'documenter',
    'implementation-orchestrator',
    'reviewer',
    'security-reviewer',
    'task-orchestrator',
    'test-writer',
  ]);
  assert.deepEqual(
    builtInAgents
      .filter((a) => a.role === 'reviewer')
      .map((a) => a.reviewMode)
      .sort(),
    ['code', 'completion', 'security'],
  );
  for (const agent of builtInAgents) {
    assert.ok(agent.prompt.length > 400, `${agent.name} has a real prompt`);
    assert.ok(agent.tools.every(isToolName), agent.name);
    assert.ok(agent.tokenBudget > 0, agent.name);
    // Orchestrators plan and the completion reviewer judges: they read, never write.
    const reads = agent.name.endsWith('orchestrator') || agent.reviewMode === 'completion';
    assert.equal(agent.tools.includes('propose_edit'), !reads, agent.name);
  }
  assert.deepEqual(builtInCommands.map((c) => c.name).sort(), [
    'docs:generate',
    'implement',
    'refactor:large-scale',
    'review:code',
    'review:completion',
    'review:security',
    'spec-kit:implement',
    'test',
  ]);
});

test('overrides from .claude: valid files replace or add, malformed ones are reported and the built-in stays', async () => {
  const { agents, commands, diagnostics } = await loadDefinitions(fixture, never);

  const writer = agents.get('code-writer');
  assert.equal(writer?.source.kind, 'file');
  assert.equal(writer?.prompt, 'You write small, well-tested TypeScript modules.\nAlways prefer pure functions.');
  assert.equal(writer?.description, 'Writes code the way this team likes it');
  assert.deepEqual(writer?.tools, [
    'complete_task',
    'list_directory',
    'propose_edit',
    'read_file',
    'run_command',
    'search_text',
  ]);
  assert.equal(writer?.modelTier, 'deep');
  assert.equal(writer?.role, 'code-writer', 'a file cannot change the role, so it cannot widen the write scope');

  const documenter = agents.get('documenter');
  assert.deepEqual(documenter?.tools, ['complete_task', 'propose_edit', 'read_file']);
  assert.equal(documenter?.model, 'claude-sonnet-4-5');
  assert.deepEqual(documenter?.writeScope, builtInAgents.find((a) => a.name === 'documenter')?.writeScope);

  const added = agents.get('api-designer');
  assert.equal(added?.role, 'code-writer');
  assert.equal(added?.modelTier, 'fast');

  for (const name of ['test-writer', 'bug-fixer', 'reviewer'])
    assert.equal(agents.get(name)?.source.kind, 'built-in', name);

  const byFile = (suffix: string) => diagnostics.filter((d) => d.path.endsWith(suffix));
  assert.match(byFile('test-writer.md')[0]?.message ?? '', /not valid YAML/);
  assert.match(byFile('bug-fixer.md')[0]?.message ?? '', /invalid front matter.*name/);
  assert.match(byFile('reviewer.md')[0]?.message ?? '', /no closing/);
  assert.deepEqual(
    byFile('documenter.md').map((d) => [d.severity, d.message]),
    [['warning', 'unknown tool "Telepathy" ignored']],
  );
  assert.match(byFile('commands/review/code.md')[0]?.message ?? '', /not valid YAML/);
  assert.equal(byFile('commands/review/code.md')[0]?.path, '.claude/commands/review/code.md');

  const refactor = commands.get('refactor:large-scale');
  assert.equal(refactor?.source.kind, 'file');
  assert.equal(refactor?.argumentHint, '<module> <goal>');
  assert.deepEqual(refactor?.allowedTools, ['propose_edit', 'read_file', 'run_command']);
  assert.equal(
    refactor && expandCommand(refactor, 'parser "pure functions"'),
    'Refactor module parser towards: parser "pure functions"\nStep two uses pure functions and missing .',
  );
  assert.equal(commands.get('review:code')?.source.kind, 'built-in');
  assert.equal(commands.get('changelog')?.description, 'Write a changelog entry for $ARGUMENTS.');
});

test('a project without .claude gets the built-ins and no diagnostics', async () => {
  const root = await tempProject({ 'README.md': '' });
  const loaded = await loadDefinitions(root, never);
  assert.equal(loaded.agents.size, builtInAgents.length);
  assert.equal(loaded.commands.size, builtInCommands.length);
  assert.deepEqual(loaded.diagnostics, []);
});

test('front matter and argument splitting', () => {
  assert.deepEqual(splitFrontMatter('no front matter'), { ok: true, data: {}, body: 'no front matter' });
  assert.deepEqual(splitFrontMatter('---\r\na: 1\r\n---\r\nbody\r\n'), { ok: true, data: { a: 1 }, body: 'body\n' });
  assert.deepEqual(splitArguments('one "two three" four'), ['one', 'two three', 'four']);
  const implement = builtInCommands.find((c) => c.name === 'implement');
  assert.match(implement ? expandCommand(implement, 'T001 a todo app') : '', /^Implement: T001 a todo app\n\nRead /);
  const wrapper = builtInCommands.find((c) => c.name === 'spec-kit:implement');
  assert.match(
    wrapper ? expandCommand(wrapper, 'T012 Create the "User" model') : '',
    /^Implement task T012 of this spec-kit feature, exactly as tasks\.md states it: T012 Create the "User" model\n/,
  );
});

test('an instruction names each command with its arguments; allowed-tools narrows, complete_task stays', () => {
  const [test, review] = ['test', 'review:code'].map((name) => {
    const found = builtInCommands.find((c) => c.name === name);
    assert.ok(found);
    return found;
  }) as [CommandDefinition, CommandDefinition];
  const text = commandInstruction([test, review], 'src/a.js');
  assert.match(
    text,
    /^## \/test src\/a\.js\nWrite tests, or make a failing test run pass\. \(arguments: <code or behaviour to test>\)\n\nTests for: src\/a\.js\n/,
  );
  assert.match(text, /\n\n## \/review:code src\/a\.js\n/);
  const tools = ['complete_task', 'list_directory', 'propose_edit', 'read_file', 'run_command', 'search_text'] as const;
  assert.deepEqual(narrowTools(tools, [test, review]), [...tools], 'no allowed-tools: nothing narrowed');
  const readOnly: CommandDefinition = { ...test, allowedTools: ['read_file', 'search_text', 'propose_edit'] };
  const noEdits: CommandDefinition = { ...review, allowedTools: ['read_file', 'run_command'] };
  assert.deepEqual(narrowTools(tools, [readOnly]), ['propose_edit', 'read_file', 'search_text']);
  assert.deepEqual(narrowTools(tools, [readOnly, noEdits], ['complete_task']), ['complete_task', 'read_file']);
});
