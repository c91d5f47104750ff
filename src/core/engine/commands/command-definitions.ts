/**
 * Which files decide what a configured command does. `npm test` runs whatever `package.json` says its test
 * script is; `make test` whatever the Makefile says. When a run has changed one of these files, running the
 * command means running text a model wrote, so the command needs a fresh confirmation that shows the change
 * (see `CommandService`). A program named by path (`./test.sh`, `node scripts/check.js`) is its own
 * definition.
 */
import { createTwoFilesPatch } from 'diff';
import { normaliseRelative } from '../workspace/path-policy';

/**
 * By program name: the files at the command's folder that define what it runs, including the ones that can
 * change how it runs (`.npmrc` sets the shell npm runs scripts with; `conftest.py` runs before every test).
 */
const DEFINITIONS: Readonly<Record<string, readonly string[]>> = (() => {
  const npm = ['package.json', '.npmrc', '.yarnrc', '.yarnrc.yml', 'bunfig.toml', 'deno.json', 'deno.jsonc'];
  const python = ['pyproject.toml', 'setup.cfg', 'setup.py', 'pytest.ini', 'tox.ini', 'noxfile.py', 'conftest.py'];
  const make = ['GNUmakefile', 'makefile', 'Makefile'];
  const cargo = ['Cargo.toml', 'build.rs', '.cargo/config.toml', '.cargo/config'];
  const gradle = ['build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts', 'gradle.properties'];
  return {
    npm,
    npx: npm,
    pnpm: npm,
    yarn: npm,
    bun: npm,
    deno: npm,
    node: ['package.json'],
    python,
    python3: python,
    py: python,
    pytest: python,
    tox: python,
    nox: python,
    uv: python,
    poetry: python,
    hatch: python,
    make,
    gmake: make,
    cargo,
    go: ['go.mod', 'go.work'],
    gradle,
    gradlew: gradle,
    mvn: ['pom.xml', '.mvn/maven.config', '.mvn/jvm.config'],
    mvnw: ['pom.xml', '.mvn/maven.config', '.mvn/jvm.config'],
    just: ['justfile', 'Justfile', '.justfile'],
    task: ['Taskfile.yml', 'Taskfile.yaml'],
    rake: ['Rakefile'],
    bundle: ['Gemfile', 'Rakefile'],
    composer: ['composer.json'],
  };
})();

/** The program's name without its folder or a Windows extension: `./node_modules/.bin/jest.cmd` → `jest`. */
function programName(program: string): string {
  const base = program.replace(/\\/g, '/').split('/').pop() ?? program;
  return base.replace(/\.(?:cmd|exe|bat|ps1)$/i, '');
}

/** A workspace-relative spelling of an argument that names a file (`./test.sh`, `scripts/check.js`), if it does. */
function asRelativeFile(arg: string): string | undefined {
  if (arg.startsWith('-') || !/[/\\.]/.test(arg)) return undefined;
  const normalised = normaliseRelative(arg);
  return normalised.kind === 'ok' && normalised.rel !== '' && !normalised.namesFolder ? normalised.rel : undefined;
}

/**
 * The files, relative to the command's folder, whose content decides what `argv` runs: the program's own
 * definition files, and any argument that names a file in the folder (a script the program runs).
 */
export function definingFiles(argv: readonly string[]): string[] {
  const [program, ...args] = argv;
  if (program === undefined) return [];
  const files = [...(DEFINITIONS[programName(program)] ?? [])];
  for (const arg of [program, ...args]) {
    const file = asRelativeFile(arg);
    if (file !== undefined) files.push(file);
  }
  return [...new Set(files)];
}

/** A file that defines a command and that the run changed: what it was before the run, and what it is now. */
export interface DefinitionChange {
  path: string;
  /** null: the run created it. */
  before: string | null;
  /** null: the run deleted it. */
  after: string | null;
}

/** The changes as one unified diff, for a confirmation to show. */
export function describeDefinitionChanges(changes: readonly DefinitionChange[]): string {
  return changes
    .map((c) =>
      createTwoFilesPatch(
        `${c.path} (before the run)`,
        `${c.path} (now)`,
        c.before ?? '',
        c.after ?? '',
        c.before === null ? 'created by the run' : undefined,
        c.after === null ? 'deleted by the run' : undefined,
        { context: 3 },
      ),
    )
    .join('\n');
}
