/**
 * The project's own test (and build) command when the user configured none: what a developer would type in
 * that kind of project. Detection only reads marker files at the workspace root; nothing is run here, and a
 * detected command still needs the user's approval (or an allow-list entry) before it runs.
 */
import { join } from 'node:path';
import * as z from 'zod';
import { readTextFile } from '../../speckit/read-text-file';

export interface DetectedCommands {
  /** By name (`test`, `build`), argv form, as `EngineSettings.commands` takes them. Empty when nothing was found. */
  commands: Record<string, string[]>;
  /** Why each command was chosen, by name: "package.json scripts.test". */
  sources: Record<string, string>;
}

const packageJson = z.looseObject({ scripts: z.record(z.string(), z.unknown()).optional() });

/** `npm init` writes this test script: it only fails, so it is no test command. */
const NPM_PLACEHOLDER_TEST = /no test specified/;

async function read(root: string, file: string, signal: AbortSignal): Promise<string | undefined> {
  const result = await readTextFile(join(root, file), signal);
  return result.kind === 'ok' ? result.text : undefined;
}

function npmScripts(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // A package.json that does not parse names no scripts; npm itself would refuse it too.
    return {};
  }
  const parsed = packageJson.safeParse(value);
  if (!parsed.success) return {};
  const scripts: Record<string, string> = {};
  for (const [name, script] of Object.entries(parsed.data.scripts ?? {}))
    if (typeof script === 'string' && script.trim() !== '') scripts[name] = script;
  return scripts;
}

/**
 * Finds the test command by the first marker that names one: package.json `scripts.test` (`npm test`, and
 * `npm run build` when a build script exists), pytest (pyproject.toml, pytest.ini, or setup.cfg with a
 * `[tool:pytest]` section), Cargo.toml, go.mod, then a Makefile with a `test:` target.
 */
export async function detectProjectCommands(root: string, signal: AbortSignal): Promise<DetectedCommands> {
  const commands: Record<string, string[]> = {};
  const sources: Record<string, string> = {};
  const found = (name: string, argv: string[], source: string): void => {
    commands[name] = argv;
    sources[name] = source;
  };

  const scripts = npmScripts(await read(root, 'package.json', signal));
  if (scripts['build'] !== undefined) found('build', ['npm', 'run', 'build'], 'package.json scripts.build');
  const npmTest = scripts['test'];
  if (npmTest !== undefined && !NPM_PLACEHOLDER_TEST.test(npmTest)) {
    found('test', ['npm', 'test'], 'package.json scripts.test');
    return { commands, sources };
  }

  const setupCfg = await read(root, 'setup.cfg', signal);
  for (const [file, present] of [
    ['pyproject.toml', (await read(root, 'pyproject.toml', signal)) !== undefined],
    ['pytest.ini', (await read(root, 'pytest.ini', signal)) !== undefined],
    ['setup.cfg [tool:pytest]', setupCfg !== undefined && /^\[tool:pytest\]/m.test(setupCfg)],
  ] as const) {
    if (present) {
      found('test', ['python', '-m', 'pytest'], file);
      return { commands, sources };
    }
  }
  if ((await read(root, 'Cargo.toml', signal)) !== undefined) found('test', ['cargo', 'test'], 'Cargo.toml');
  else if ((await read(root, 'go.mod', signal)) !== undefined) found('test', ['go', 'test', './...'], 'go.mod');
  else {
    for (const file of ['GNUmakefile', 'makefile', 'Makefile']) {
      const text = await read(root, file, signal);
      if (text !== undefined && /^test\s*:(?!=)/m.test(text)) {
        found('test', ['make', 'test'], `${file} test target`);
        break;
      }
    }
  }
  return { commands, sources };
}
