/** In-process and spawned runs of the CLI against the mock server, on a temp copy of the example project. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { runCli, type CliIo, type TerminalInput } from '../../../src/cli/cli';

const repoRoot = resolve(__dirname, '..', '..', '..');

interface BundlesModule {
  buildOptions(options: { outdir: string; faces: string[] }): BuildOptions[];
}

/**
 * The CLI exactly as `npm run build` makes it (the definitions in scripts/bundles.mjs: dist/cli.js and the
 * parts it loads lazily), built fresh into a temp folder so a stale dist cannot pass. Returns the main file's
 * path; a failed build throws (and fails the test).
 */
export async function buildCliBundle(): Promise<{ dir: string; cliJs: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'orchestra-cli-bundle-'));
  const bundles = (await import(pathToFileURL(join(repoRoot, 'scripts', 'bundles.mjs')).href)) as BundlesModule;
  await Promise.all(
    bundles
      .buildOptions({ outdir: dir, faces: ['cli'] })
      .map((options) => build({ ...options, absWorkingDir: repoRoot, logLevel: 'silent' })),
  );
  return { dir, cliJs: join(dir, 'cli.js') };
}

export const TEST_KEY = 'sk-ant-test-cli';

/** A fresh copy of examples/todo-api in a temp folder, and a tree snapshot without the run journals. */
export { copyExample, snapshot as snapshotTree } from '../engine/run/harness';

export interface FakeIo {
  io: CliIo;
  out(): string;
  err(): string;
}

export interface FakeIoOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  tty?: boolean;
  terminal?: TerminalInput;
  signal?: AbortSignal;
}

export function fakeIo(options: FakeIoOptions = {}): FakeIo {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (s: string) => (out += s), isTTY: options.tty ?? false, columns: 100 },
      stderr: { write: (s: string) => (err += s) },
      env: options.env ?? {},
      cwd: options.cwd ?? process.cwd(),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.terminal ? { terminal: options.terminal } : {}),
    },
    out: () => out,
    err: () => err,
  };
}

/** The environment a run against the mock needs. */
export function mockEnv(url: string): Record<string, string> {
  return { ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: url };
}

export async function cli(
  argv: string[],
  options: FakeIoOptions = {},
): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIo(options);
  const code = await runCli(argv, io.io);
  return { code, out: io.out(), err: io.err() };
}

/** Ids of the tasks ticked `[X]` in a tasks.md text. */
export function tickedIds(tasksMd: string): string[] {
  return [...tasksMd.matchAll(/^- \[[xX]\] (\S+)/gm)].map((m) => m[1] ?? '');
}

export const TASKS_MD = 'specs/001-todo-api/tasks.md';

/** Every task of the example and the one file it names. */
export const EXAMPLE_FILES: Record<string, string> = {
  T001: 'src/index.js',
  T002: 'src/errors.js',
  T003: 'src/ids.js',
  T004: 'test/todo-store.test.js',
  T005: 'test/complete.test.js',
  T006: 'src/todo-store.js',
  T007: 'src/todo-store.js',
  T008: 'src/http-handler.js',
  T009: 'docs/api.md',
  T010: 'README.md',
};
