// The layer rule (scripts/eslint-layers.mjs) and the light facade it protects: imports only point down, and
// what the activation bundle and the CLI's small commands load stays free of the engine, the SDK and zod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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

/** Inputs that must stay out of what starts fast: the engine, the model SDK, zod, yaml and the diff library. */
const HEAVY =
  /node_modules\/(zod|@anthropic-ai|yaml|diff)\/|src\/core\/(agents|engine\/(run|workers|gate|journal|orchestrators))\//;

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
  assert.deepEqual(
    inputs.filter((input) => HEAVY.test(input)),
    [],
  );
  assert.ok(inputs.some((input) => input.endsWith('src/core/speckit/tasks-parser.ts')));
});

interface BundlesModule {
  buildOptions(options: { outdir: string; faces: string[] }): esbuild.BuildOptions[];
}

test("the CLI's main part starts small: the engine, the SDK and zod load only with implement", async () => {
  const bundles = (await import(pathToFileURL(join(repoRoot, 'scripts', 'bundles.mjs')).href)) as BundlesModule;
  const [main, ...parts] = bundles.buildOptions({ outdir: join(repoRoot, 'dist'), faces: ['cli'] });
  assert.ok(main !== undefined && parts.length > 0);
  const result = await esbuild.build({ ...main, absWorkingDir: repoRoot, write: false, metafile: true });
  const inputs = Object.keys(result.metafile.inputs);
  assert.deepEqual(
    inputs.filter((input) => HEAVY.test(input)),
    [],
  );
  assert.ok(inputs.some((input) => input.endsWith('src/cli/tasks-command.ts')));
  // implement is still reachable: as a require of its part, not bundled into the main part.
  const output = result.outputFiles.find((file) => file.path.endsWith('cli.js'))?.text ?? '';
  assert.match(output, /require\("\.\/cli-implement\.js"\)/);

  const implement = parts.find((options) => JSON.stringify(options.entryPoints).includes('implement-command'));
  assert.ok(implement !== undefined, 'the implement part is built');
  const whole = await esbuild.build({ ...implement, absWorkingDir: repoRoot, write: false, metafile: true });
  assert.ok(Object.keys(whole.metafile.inputs).some((input) => /node_modules\/@anthropic-ai\/sdk\//.test(input)));
  // zod comes in as used: imported as a namespace, not through its named `z`, which keeps every module of zod
  // (each locale among them) in the bundle.
  const shipped = Object.values(whole.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs).flatMap(([input, { bytesInOutput }]) => (bytesInOutput > 0 ? [input] : [])),
  );
  assert.ok(
    shipped.some((input) => input.includes('node_modules/zod/')),
    'zod is in the implement part',
  );
  assert.deepEqual(
    shipped.filter((input) => /node_modules\/zod\/.*locales\//.test(input) && !/locales\/en\.js$/.test(input)),
    [],
  );
});

test("the extension's activation bundle loads neither the engine, the SDK, zod nor yaml", async () => {
  const bundles = (await import(pathToFileURL(join(repoRoot, 'scripts', 'bundles.mjs')).href)) as BundlesModule;
  const [main] = bundles.buildOptions({ outdir: join(repoRoot, 'dist'), faces: ['extension'] });
  assert.ok(main !== undefined && JSON.stringify(main.entryPoints).includes('src/extension/extension.ts'));
  const result = await esbuild.build({ ...main, absWorkingDir: repoRoot, write: false, metafile: true });
  const inputs = Object.keys(result.metafile.inputs);
  assert.deepEqual(
    inputs.filter((input) => HEAVY.test(input)),
    [],
  );
  // The Progress panel still summarises a validation report: the summary is there, the report's schema is not.
  assert.ok(inputs.some((input) => input.endsWith('src/protocol/validation-summary.ts')));
  assert.ok(!inputs.some((input) => input.endsWith('src/protocol/validation-report.ts')));
});

test('a static import of a lazily loaded part is a build error that names it', async () => {
  const bundles = (await import(pathToFileURL(join(repoRoot, 'scripts', 'bundles.mjs')).href)) as BundlesModule;
  const [main] = bundles.buildOptions({ outdir: join(repoRoot, 'dist'), faces: ['cli'] });
  assert.ok(main !== undefined);
  const { entryPoints: _entryPoints, ...withoutEntry } = main;
  await assert.rejects(
    esbuild.build({
      ...withoutEntry,
      absWorkingDir: repoRoot,
      write: false,
      logLevel: 'silent',
      stdin: {
        contents: "import { runImplementCommand } from './implement-command'; console.log(runImplementCommand);",
        resolveDir: join(repoRoot, 'src', 'cli'),
        loader: 'ts',
      },
    }),
    /implement-command is a lazily loaded part: import it with import\(\), not statically/,
  );
});
