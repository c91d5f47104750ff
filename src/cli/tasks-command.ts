import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import {
  discoverProjects,
  parseTasks,
  withTaskPathsPlaced,
  readChecklistGate,
  readTextFile,
  selectFeature,
  type Feature,
  type FeatureSelection,
} from '../core/engine/light';
import { assertNever } from '../protocol/engine-events';
import type { CliIo } from './cli-io';
import { chooseStyle, renderTasksText } from './render-tasks-text';
import { taskDependencies } from './task-dependencies';
import { buildTasksReport, type TasksReport } from './tasks-report';

export const TASKS_USAGE = `usage: speckit-orchestra tasks [--workspace DIR]... [--feature X] [--json]

Shows a spec-kit feature's phases and tasks with their status, the dependency summary and the
critical path. Reads only; never writes.

options:
  --workspace DIR  folder to look in (default: the current folder); repeat for a multi-root workspace
  --feature X      the feature: its folder name (003-payment-integration), number (003), slug
                   (payment-integration) or a path inside it. Without it: SPECIFY_FEATURE_DIRECTORY,
                   .specify/feature.json, SPECIFY_FEATURE, the git branch, or the only feature
  --json           print one JSON object instead of text
  -h, --help       show this help

exit codes: 0 shown, 2 bad input (no project, unknown or ambiguous feature, unreadable file)
`;

/** A failure the user can fix: one line on stderr, exit code 2. */
class UsageProblem {
  constructor(readonly message: string) {}
}

export async function runTasksCommand(argv: readonly string[], io: CliIo, signal: AbortSignal): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        workspace: { type: 'string', multiple: true },
        feature: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    io.stderr.write(
      `speckit-orchestra tasks: ${error instanceof Error ? error.message : String(error)} (see --help)\n`,
    );
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    io.stdout.write(TASKS_USAGE);
    return 0;
  }
  const result = await buildReport(values.workspace ?? [], values.feature, io, signal);
  if (result instanceof UsageProblem) {
    io.stderr.write(`speckit-orchestra tasks: ${result.message}\n`);
    return 2;
  }
  if (values.json) io.stdout.write(`${JSON.stringify(result.report, null, 2)}\n`);
  else
    io.stdout.write(
      renderTasksText(result.report, result.ready, io.cwd, chooseStyle(io.stdout.isTTY === true, io.env)),
    );
  return 0;
}

async function buildReport(
  workspaces: readonly string[],
  featureArgument: string | undefined,
  io: CliIo,
  signal: AbortSignal,
): Promise<{ report: TasksReport; ready: readonly string[] } | UsageProblem> {
  const roots = (workspaces.length === 0 ? [io.cwd] : workspaces).map((w) => resolve(io.cwd, w));
  const discovery = await discoverProjects(roots, { signal });
  const missing = discovery.diagnostics.find((d) => d.code === 'workspace-missing');
  if (missing !== undefined) return new UsageProblem(`workspace folder not found: ${missing.file}`);
  if (discovery.projects.length === 0) {
    return new UsageProblem(
      `no spec-kit project in ${roots.join(', ')} (looked for a .specify/ folder or specs/*/tasks.md)`,
    );
  }
  const selection = await selectFeature(
    discovery.projects,
    { ...(featureArgument === undefined ? {} : { argument: featureArgument }), env: io.env, cwd: io.cwd },
    signal,
  );
  if (selection.kind !== 'selected') return new UsageProblem(describeFailure(selection, io.cwd));
  const { feature } = selection;
  if (feature.tasksPath === undefined)
    return new UsageProblem(`feature ${feature.id} has no tasks.md yet (${feature.dir})`);
  const read = await readTextFile(feature.tasksPath, signal);
  switch (read.kind) {
    case 'missing':
      return new UsageProblem(`cannot read ${feature.tasksPath}: file not found`);
    case 'unreadable':
      return new UsageProblem(`cannot read ${feature.tasksPath}: ${read.reason}`);
    case 'ok':
      break;
    default:
      return assertNever(read);
  }
  const document = await withTaskPathsPlaced(parseTasks(read.text), {
    projectRoot: feature.projectRoot,
    tasksPath: feature.tasksPath,
  });
  const dependencies = taskDependencies(document);
  const report = buildTasksReport({
    feature,
    rule: selection.rule,
    detail: selection.detail,
    tasksFile: feature.tasksPath,
    document,
    dependencies,
    checklists: await readChecklistGate(feature, signal),
    workspaceDiagnostics: discovery.diagnostics.filter(
      (d) => d.file === feature.projectRoot || d.file.startsWith(feature.dir),
    ),
  });
  return { report, ready: dependencies.ready };
}

function describeFailure(selection: Exclude<FeatureSelection, { kind: 'selected' }>, cwd: string): string {
  const names = candidateNames(selection.candidates, cwd);
  switch (selection.kind) {
    case 'ambiguous':
      return `${selection.reason}; choose one with --feature: ${names}`;
    case 'not-found':
      return selection.candidates.length === 0 ? selection.reason : `${selection.reason}; features: ${names}`;
    default:
      return assertNever(selection);
  }
}

/** Folder names, or paths when two projects have a folder of the same name. */
function candidateNames(candidates: readonly Feature[], cwd: string): string {
  const ids = candidates.map((f) => f.id);
  const clash = new Set(ids).size !== ids.length;
  return candidates.map((f) => (clash ? resolve(cwd, f.dir) : f.id)).join(', ');
}
