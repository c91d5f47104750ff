// Extension activation in the real extension host (the test VS Code) on the example workspace, and the
// size of the packaged .vsix. Targets: activation < 50 ms, .vsix < 1 MB. Needs the test VS Code
// (bash scripts/install-test-vscode.sh); prints why and skips when it is missing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..');
const codeServerEntry = join(
  repoRoot,
  '.vscode-test',
  'code-server',
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);

function row(name: string, value: number, unit: string, target: number): void {
  console.log(
    `${name.padEnd(44)} ${value.toFixed(unit === 'ms' ? 1 : 0).padStart(9)} ${unit.padEnd(3)}  ${(value / target).toFixed(2)}× of target ${target} ${unit} ${value <= target ? 'ok' : 'OVER'}`,
  );
}

interface ActivationMeasure {
  activateMs: number;
  bundleLoadMs: number;
  productionLoadMs?: number;
}

function buildProduction(): boolean {
  const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) console.log(`the production build failed\n${build.stderr}`);
  return build.status === 0;
}

function measureActivation(scratch: string): ActivationMeasure | undefined {
  if (!existsSync(codeServerEntry)) {
    console.log('activation: skipped — the test VS Code is not installed (bash scripts/install-test-vscode.sh)');
    return undefined;
  }
  const out = join(scratch, 'activation.json');
  // The host runner rebuilds dist/ in development mode; keep a copy of the production bundle to load too.
  const production = join(scratch, 'extension.production.js');
  if (buildProduction()) copyFileSync(join(repoRoot, 'dist', 'extension.js'), production);
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/run-host-tests.mjs', 'orchestra-bench'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      SPECKIT_BENCH_OUT: out,
      ...(existsSync(production) ? { SPECKIT_BENCH_PRODUCTION_BUNDLE: production } : {}),
    },
    encoding: 'utf8',
  });
  if (run.status !== 0 || !existsSync(out)) {
    console.log(`activation: the host run failed\n${run.stdout}${run.stderr}`);
    return undefined;
  }
  return JSON.parse(readFileSync(out, 'utf8')) as ActivationMeasure;
}

function measureVsix(scratch: string): number | undefined {
  if (!buildProduction()) return undefined;
  const vsix = join(scratch, 'extension.vsix');
  const pack = spawnSync(
    process.execPath,
    [join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', vsix],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  if (pack.status !== 0 || !existsSync(vsix)) {
    console.log(`vsix: vsce package failed\n${pack.stdout}${pack.stderr}`);
    return undefined;
  }
  return statSync(vsix).size;
}

export async function run(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'speckit-extension-bench-'));
  try {
    const activation = measureActivation(scratch);
    const vsixBytes = measureVsix(scratch);
    console.log(`${'measure'.padEnd(44)}     value      ratio to target`);
    if (activation) {
      row('activate() in the real host', activation.activateMs, 'ms', 50);
      row('dev bundle load, warm (parse + top level)', activation.bundleLoadMs, 'ms', 50);
      if (activation.productionLoadMs !== undefined) {
        row('shipped bundle load, cold (minified)', activation.productionLoadMs, 'ms', 50);
        row('activation as shipped (load + activate)', activation.activateMs + activation.productionLoadMs, 'ms', 50);
      }
    }
    if (vsixBytes !== undefined) row('.vsix size', vsixBytes / 1024, 'KiB', 1024);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
