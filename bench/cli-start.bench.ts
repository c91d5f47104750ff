// The CLI as a small tool: `speckit-orchestra tasks` as a process, next to the floors it is held to, measured
// side by side in one run (interleaved, medians). Targets: on a tiny feature within 2× a bare `node -e 0`;
// on 10,000 tasks within 2× a script that only reads the file, runs one regex per line and prints.
// The CLI is built fresh, exactly as it ships (scripts/bundles.mjs), into a temp folder. Beside them, the same
// command's steps timed one by one in a cold process of their own (bench/cli-steps.ts), to show where the time goes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import type { StepTime } from './cli-steps';
import { generate } from './tasks.bench';

const repoRoot = join(__dirname, '..');
const RUNS = 15;
const WARMUP = 2;

/** The floor for a big file: what any tool must do to show it — read, one regex per line, print. */
const FLOOR_SCRIPT = `
const text = require('node:fs').readFileSync(process.argv[1], 'utf8');
const task = /^\\s*- \\[([ xX])\\] (T[\\d.]+)(.*)$/;
const out = [];
for (const line of text.split('\\n')) {
  const m = task.exec(line);
  if (m) out.push((m[1] === ' ' ? '[ ] ' : '[x] ') + m[2] + m[3]);
}
process.stdout.write(out.join('\\n') + '\\n');
`;

interface BundlesModule {
  buildOptions(options: { outdir: string; faces: string[] }): esbuild.BuildOptions[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeProcess(args: string[], cwd: string): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  const elapsed = performance.now() - start;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${String(result.stderr)}`);
  return elapsed;
}

/** Runs the step-timing build of `tasks` once; keeps its step times and returns its wall time as a process. */
function timeSteps(script: string, cwd: string, samples: Record<string, StepTime>[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [script], { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  const elapsed = performance.now() - start;
  if (result.status !== 0) throw new Error(`node ${script} exited ${result.status}: ${String(result.stderr)}`);
  samples.push(JSON.parse(String(result.stderr)) as Record<string, StepTime>);
  return elapsed;
}

function printSteps(samples: readonly Record<string, StepTime>[], processMs: number): void {
  const steps = Object.keys(samples[0] ?? {});
  const wall = steps.map((step) => median(samples.map((sample) => sample[step]?.wallMs ?? Number.NaN)));
  const cpu = steps.map((step) => median(samples.map((sample) => sample[step]?.cpuMs ?? Number.NaN)));
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  console.log(
    `  its steps, cold (medians; wall / CPU of all threads, ms): ${steps.map((step, k) => `${step} ${(wall[k] ?? 0).toFixed(0)}/${(cpu[k] ?? 0).toFixed(0)}`).join(', ')}`,
  );
  console.log(
    `  steps ${sum(wall).toFixed(0)} ms of ${processMs.toFixed(0)} ms as a process; the rest is Node's start and loading the CLI`,
  );
}

function project(root: string, tasksMd: string): string {
  mkdirSync(join(root, '.specify'), { recursive: true });
  mkdirSync(join(root, 'specs', '001-bench'), { recursive: true });
  writeFileSync(join(root, 'specs', '001-bench', 'tasks.md'), tasksMd);
  return join(root, 'specs', '001-bench', 'tasks.md');
}

/** Runs each measure in turn, RUNS times after a warm-up, and returns the medians in the same order. */
function sideBySide(measures: (() => number)[]): number[] {
  const samples = measures.map(() => [] as number[]);
  for (let i = 0; i < WARMUP + RUNS; i++) {
    // Rotate who goes first so none always meets the warmest cache.
    for (let k = 0; k < measures.length; k++) {
      const index = (i + k) % measures.length;
      const elapsed = measures[index]?.() ?? Number.NaN;
      if (i >= WARMUP) samples[index]?.push(elapsed);
    }
  }
  return samples.map(median);
}

function line(name: string, ms: number, floorName: string, floorMs: number, target: number): void {
  const ratio = ms / floorMs;
  console.log(
    `${name.padEnd(34)} ${ms.toFixed(1).padStart(7)} ms   ${floorName} ${floorMs.toFixed(1)} ms   ratio ${ratio.toFixed(2)}×   (target ≤ ${target.toFixed(2)}×) ${ratio <= target ? 'ok' : 'OVER'}`,
  );
}

export async function run(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'cli-start-bench-'));
  try {
    const bundles = (await import(pathToFileURL(join(repoRoot, 'scripts', 'bundles.mjs')).href)) as BundlesModule;
    const dist = join(scratch, 'dist');
    await Promise.all(
      bundles
        .buildOptions({ outdir: dist, faces: ['cli'] })
        .map((options) => esbuild.build({ ...options, absWorkingDir: repoRoot, logLevel: 'silent' })),
    );
    const cli = join(dist, 'cli.js');
    console.log(
      `dist/cli.js ${(statSync(cli).size / 1024).toFixed(0)} KiB (starts every command); dist/cli-implement.js ${(statSync(join(dist, 'cli-implement.js')).size / 1024).toFixed(0)} KiB (implement only)`,
    );

    const tiny = join(scratch, 'tiny');
    project(tiny, '# Tasks\n\n## Phase 1: Setup\n\n- [ ] T001 Create src/index.ts\n- [ ] T002 [P] Add README.md\n');
    const big = join(scratch, 'big');
    const bigTasks = project(big, generate());
    const floorScript = join(scratch, 'floor.js');
    writeFileSync(floorScript, FLOOR_SCRIPT);
    const stepsScript = join(scratch, 'cli-steps.js');
    // Built as the CLI is (one minified CommonJS file for Node 20), so its steps run as the CLI's do.
    await esbuild.build({
      entryPoints: [join(repoRoot, 'bench', 'cli-steps.ts')],
      outfile: stepsScript,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: true,
      absWorkingDir: repoRoot,
      logLevel: 'silent',
    });
    const steps: Record<string, StepTime>[] = [];

    const [nodeMs = NaN, tinyMs = NaN, floorMs = NaN, bigMs = NaN, stepsMs = NaN] = sideBySide([
      () => timeProcess(['-e', '0'], scratch),
      () => timeProcess([cli, 'tasks'], tiny),
      () => timeProcess([floorScript, bigTasks], scratch),
      () => timeProcess([cli, 'tasks'], big),
      () => timeSteps(stepsScript, big, steps),
    ]);
    line('tasks, tiny feature (process)', tinyMs, 'node -e 0', nodeMs, 2);
    line('tasks, 10,000 tasks (process)', bigMs, 'read+regex+print', floorMs, 2);
    printSteps(steps, stepsMs);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
