// The layer rule (scripts/eslint-layers.mjs) and the light facade it protects: imports only point down, and
// what the activation bundle and the CLI's small commands load stays free of the engine, the SDK and zod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const repoRoot = resolve(__dirname, '..', '..', '..');

interface LayersModule {
  roomOf: (repoPath: string) => string | undefined;
  layersPlugin: (repoRoot: string) => NonNullable<Linter.Config['plugins']>[string];
}

async function layers(): Promise<LayersModule> {
  return (await import(join(repoRoot, 'scripts', 'eslint-layers.mjs'))) as LayersModule;
}

async function lint(file: string, code: string): Promise<string[]> {
  const { layersPlugin } = await layers();
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { layers: layersPlugin(repoRoot) },
        rules: { 'layers/imports-point-down': 'error' },
      },
    ],
    { filename: join(repoRoot, file) },
  );
  return messages.map((m) => m.message);
}

test('every file of src/ belongs to a room', async () => {
  const { roomOf } = await layers();
  assert.equal(roomOf('src/core/agents/agent-loop.ts'), 'agents');
  assert.equal(roomOf('src/core/engine/run/run-session.ts'), 'engine-run');
  assert.equal(roomOf('src/core/engine/facade-types.ts'), 'engine-base');
  assert.equal(roomOf('src/core/engine/index.ts'), 'engine-facade');
  assert.equal(roomOf('src/extension/trees/tasks-tree.ts'), 'extension');
  assert.equal(roomOf('test/unit/cli.test.ts'), undefined);
});

test('an upward import is an error, with the rule named in the message', async () => {
  const upward: [string, string][] = [
    ['src/core/agents/tools/tool.ts', "import type { RunPlan } from '../../engine/facade-types';"],
    ['src/core/engine/gate/proposal.ts', "import { RunSession } from '../run/run-session';"],
    ['src/core/engine/orchestrators/strategy.ts', "export { createEngine } from '../run/create-engine';"],
    ['src/core/speckit/tasks-model.ts', "import type { TaskGraph } from '../graph/task-graph';"],
    ['src/core/llm/prices.ts', "import type { ToolSpec } from '../agents/tools/tool';"],
    ['src/extension/trees/tasks-tree.ts', "import { parseTasks } from '../../core/speckit/tasks-parser';"],
    ['src/cli/tasks-command.ts', "const lazy = import('../core/engine/run/create-engine');"],
    ['src/server/hover.ts', "import type { RunPlan } from '../core/engine';"],
  ];
  for (const [file, code] of upward) {
    const messages = await lint(file, code);
    assert.equal(messages.length, 1, `${file}: ${code}`);
    assert.match(messages[0] ?? '', /imports point down only/);
  }
});

test('imports down, within a room and through the facades are allowed', async () => {
  const allowed: [string, string][] = [
    ['src/core/agents/tools/tool.ts', "import type { Workspace } from '../../ports/workspace';"],
    ['src/core/engine/run/run-session.ts', "import { Scheduler } from '../scheduler/scheduler';"],
    ['src/core/engine/orchestrators/strategy.ts', "import type { RunPlan } from '../facade-types';"],
    ['src/extension/commands.ts', "import type { Engine } from '../core/engine';"],
    ['src/extension/trees/task-documents.ts', "import { parseTasks } from '../../core/engine/light';"],
    ['src/server/hover.ts', "import type { Task } from '../core/speckit/tasks-model';"],
    ['src/core/graph/task-graph.ts', "import { readFile } from 'node:fs/promises';"],
  ];
  for (const [file, code] of allowed) assert.deepEqual(await lint(file, code), [], `${file}: ${code}`);
});

test('the light facade loads neither the engine, the model SDK, zod nor yaml', async () => {
  const result = await esbuild.build({
    entryPoints: [join(repoRoot, 'src', 'core', 'engine', 'light.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const heavy = inputs.filter((input) =>
    /node_modules\/(zod|@anthropic-ai|yaml|diff)\/|src\/core\/(agents|engine\/(run|workers|gate|journal|orchestrators))\//.test(
      input,
    ),
  );
  assert.deepEqual(heavy, []);
  assert.ok(inputs.some((input) => input.endsWith('src/core/speckit/tasks-parser.ts')));
});
