import { parseArgs } from 'node:util';
import { parseTasks, readChecklistGate, withTaskPathsPlaced, type TasksDocument } from '../core/engine/light';
import type { CliIo } from './cli-io';
import { chooseFeatureForCli, UsageProblem, type ChosenFeature } from './feature-argument';
import { chooseStyle, renderTasksText } from './render-tasks-text';
import { taskDependencies } from './task-dependencies';
import { buildTasksReport, type ReportDependencies, type TasksReport } from './tasks-report';

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
  const chosen = await chooseFeatureForCli(workspaces, featureArgument, io, signal);
  if (chosen instanceof UsageProblem) return chosen;
  const document = await withTaskPathsPlaced(parseTasks(chosen.text), {
    projectRoot: chosen.feature.projectRoot,
    tasksPath: chosen.feature.tasksPath,
  });
  const dependencies = taskDependencies(document);
  return { report: await reportOf(chosen, document, dependencies, signal), ready: dependencies.ready };
}

/** The report of the chosen feature's parsed tasks.md and its graph, with its checklists read. */
export async function reportOf(
  chosen: ChosenFeature,
  document: TasksDocument,
  dependencies: ReportDependencies,
  signal: AbortSignal,
): Promise<TasksReport> {
  const { feature, selection, discovery } = chosen;
  return buildTasksReport({
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
}
