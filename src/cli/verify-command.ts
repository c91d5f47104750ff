/**
 * `speckit-orchestra verify`: does the evidence behind each tick of a feature hold on disk now? Reads only,
 * never git, and loads no engine: the feature's tasks.md, the run journals, their blobs and the files.
 */
import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { unifiedDiff } from '../core/engine/diff';
import { parseTasks, verifyTasks, type VerifyReport, type VerifyState } from '../core/engine/light';
import type { CliIo } from './cli-io';
import { chooseFeatureForCli, UsageProblem } from './feature-argument';
import { chooseStyle, type TextStyle } from './render-tasks-text';

export const VERIFY_USAGE = `usage: speckit-orchestra verify [--workspace DIR]... [--feature X] [--task T012 ...] [--json]

Checks every ticked task of a spec-kit feature against the evidence its run recorded, on disk now:
  verified    the files it changed still hold what it wrote, or were changed since only by later runs
  drifted     a file it changed was changed since outside any run (the file and the change are shown)
  unverified  ticked without evidence (by hand, by another tool, or its journal is gone)
  open        not ticked
Reads only; never writes, never calls git.

options:
  --workspace DIR  folder to look in (default: the current folder); repeat for a multi-root workspace
  --feature X      the feature (see 'tasks --help'); default: spec-kit's rules, or the only feature
  --task T012 ...  only these tasks (ids separated by spaces or commas, or --task repeated)
  --json           print one JSON object instead of text
  -h, --help       show this help

exit codes: 0 every ticked task verified, 1 a ticked task is drifted or unverified, 2 bad input
`;

/** The one JSON object `verify --json` prints. Documented in the README; fields are only ever added. */
export interface VerifyJson {
  feature: { id: string; dir: string; rule: string; detail: string; tasksFile: string };
  tasks: {
    id: string;
    state: VerifyState;
    /** Files its evidence changed, relative to the run's folder. */
    files: string[];
    detail: string;
    /** 1-based line of the checkbox. */
    line: number;
    evidence?: {
      runId: string;
      at: string;
      edits: { path: string; kind: string; beforeHash: string | null; afterHash: string | null; approvedBy: string }[];
      commands: { argv: string[]; exitCode: number | null; outputDigest: string | null }[];
      models: string[];
      costUsd: number;
    };
    drift?: { path: string; cause: string; message: string; hunk: string | null }[];
  }[];
  summary: Record<VerifyState, number>;
  warnings: string[];
}

export async function runVerifyCommand(argv: readonly string[], io: CliIo, signal: AbortSignal): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`speckit-orchestra verify: ${message}\n`);
    return 2;
  };
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        workspace: { type: 'string', multiple: true },
        feature: { type: 'string' },
        task: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      // Only as more ids after --task (`--task T012 T013`).
      allowPositionals: true,
    }));
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
  if (values.help) {
    io.stdout.write(VERIFY_USAGE);
    return 0;
  }
  if (positionals.length > 0 && values.task === undefined)
    return fail(`unexpected argument '${positionals[0] ?? ''}' (see --help)`);
  const taskIds = [
    ...new Set(
      [...(values.task ?? []), ...positionals]
        .flatMap((t) => t.split(','))
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    ),
  ];
  const chosen = await chooseFeatureForCli(values.workspace ?? [], values.feature, io, signal);
  if (chosen instanceof UsageProblem) return fail(chosen.message);
  if (taskIds.length > 0) {
    const known = new Set(parseTasks(chosen.text).tasks.map((t) => t.id));
    const unknown = taskIds.filter((id) => !known.has(id));
    if (unknown.length > 0) return fail(`no task ${unknown.join(', ')} in ${chosen.feature.tasksPath}`);
  }
  const report = await verifyTasks({
    tasksPath: chosen.feature.tasksPath,
    text: chosen.text,
    ...(taskIds.length > 0 ? { taskIds } : {}),
    hunk: (path, before, after) => unifiedDiff(path, before, after).text,
  });
  const feature = {
    id: chosen.feature.id,
    dir: chosen.feature.dir,
    rule: chosen.selection.rule,
    detail: chosen.selection.detail,
    tasksFile: chosen.feature.tasksPath,
  };
  if (values.json) io.stdout.write(`${JSON.stringify(toJson(feature, report), null, 2)}\n`);
  else io.stdout.write(renderVerifyText(feature, report, io.cwd, chooseStyle(io.stdout.isTTY === true, io.env)));
  return report.summary.drifted + report.summary.unverified > 0 ? 1 : 0;
}

export function toJson(feature: VerifyJson['feature'], report: VerifyReport): VerifyJson {
  return {
    feature,
    tasks: report.tasks.map((task) => ({
      id: task.id,
      state: task.state,
      files: task.files,
      detail: task.detail,
      line: task.line + 1,
      ...(task.evidence
        ? {
            evidence: {
              runId: task.evidence.runId,
              at: task.evidence.record.at,
              edits: task.evidence.record.edits.map((e) => ({
                path: e.path,
                kind: e.kind,
                beforeHash: e.beforeHash,
                afterHash: e.afterHash,
                approvedBy: e.approval.by === 'policy' ? `policy ${e.approval.policy}` : 'user',
              })),
              commands: task.evidence.record.commands.map((c) => ({
                argv: c.argv,
                exitCode: c.exitCode,
                outputDigest: c.outputDigest,
              })),
              models: task.evidence.record.models,
              costUsd: task.evidence.record.cost.costUsd,
            },
          }
        : {}),
      ...(task.drift
        ? {
            drift: task.drift.map((d) => ({ path: d.path, cause: d.cause, message: d.message, hunk: d.hunk ?? null })),
          }
        : {}),
    })),
    summary: report.summary,
    warnings: report.warnings,
  };
}

const STATE_WIDTH = 'unverified'.length;

function stateLabel(state: VerifyState, style: TextStyle): string {
  const padded = state.padEnd(STATE_WIDTH);
  switch (state) {
    case 'verified':
      return style.done(padded);
    case 'drifted':
      return style.warn(padded);
    case 'unverified':
      return style.accent(padded);
    case 'open':
      return style.dim(padded);
  }
}

export function renderVerifyText(
  feature: VerifyJson['feature'],
  report: VerifyReport,
  cwd: string,
  style: TextStyle,
): string {
  const rel = relative(cwd, feature.tasksFile);
  const out: string[] = [
    `${style.heading(`Feature ${feature.id}`)}  ${style.dim(rel.startsWith('..') ? feature.tasksFile : rel)}`,
    `  chosen by ${feature.rule}: ${feature.detail}`,
    '',
  ];
  const indent = ' '.repeat(STATE_WIDTH + 4);
  for (const task of report.tasks) {
    out.push(`  ${stateLabel(task.state, style)}  ${task.id}  ${task.description}`.trimEnd());
    if (task.state === 'open') continue;
    out.push(`${indent}${style.dim(task.detail)}`);
    for (const drift of task.drift ?? []) {
      if (drift.hunk === undefined) continue;
      for (const line of drift.hunk.trimEnd().split('\n')) out.push(`${indent}${colourHunkLine(line, style)}`);
    }
  }
  const { verified, drifted, unverified, open } = report.summary;
  out.push('', `${verified} verified · ${drifted} drifted · ${unverified} unverified · ${open} open`);
  for (const warning of report.warnings) out.push(style.warn(`warning: ${warning}`));
  return `${out.join('\n')}\n`;
}

function colourHunkLine(line: string, style: TextStyle): string {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('@@')) return style.dim(line);
  if (line.startsWith('+')) return style.done(line);
  if (line.startsWith('-')) return style.warn(line);
  return line;
}
