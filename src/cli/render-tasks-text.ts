import { relative } from 'node:path';
import { whyNoTasks } from '../core/engine/light';
import type { TasksReport } from './tasks-report';

export interface TextStyle {
  readonly done: (s: string) => string;
  readonly accent: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly warn: (s: string) => string;
  readonly heading: (s: string) => string;
}

const plain = (s: string): string => s;
export const PLAIN_STYLE: TextStyle = { done: plain, accent: plain, dim: plain, warn: plain, heading: plain };

const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
export const ANSI_STYLE: TextStyle = {
  done: sgr(32, 39),
  accent: sgr(36, 39),
  dim: sgr(2, 22),
  warn: sgr(33, 39),
  heading: sgr(1, 22),
};

/** Colours only for a person at a terminal: never in logs or pipes, and never when NO_COLOR is set (no-color.org). */
export function chooseStyle(isTty: boolean, env: Readonly<Record<string, string | undefined>>): TextStyle {
  const noColor = env['NO_COLOR'];
  return isTty && (noColor === undefined || noColor === '') ? ANSI_STYLE : PLAIN_STYLE;
}

/** `ready`: ids of the tasks that could start now, shown in the dependency summary. */
export function renderTasksText(report: TasksReport, ready: readonly string[], cwd: string, style: TextStyle): string {
  const out: string[] = [];
  const all = report.phases.flatMap((p) => p.tasks);
  const doneCount = all.filter((t) => t.done).length;
  const shown = (path: string): string => {
    const rel = relative(cwd, path);
    return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
  };
  out.push(`${style.heading(`Feature ${report.feature.id}`)}  ${style.dim(shown(report.feature.dir))}`);
  out.push(`  chosen by ${report.feature.rule}: ${report.feature.detail}`);
  const why =
    all.length === 0
      ? whyNoTasks(
          report.warnings.flatMap((w) =>
            w.source === 'tasks' && w.line !== null ? [{ code: w.code, line: w.line }] : [],
          ),
        )
      : '';
  out.push(
    `  ${shown(report.feature.tasksFile)}: ${all.length} tasks, ${doneCount} done, ${all.length - doneCount} to do${why}`,
  );
  for (const phase of report.phases) {
    const phaseDone = phase.tasks.filter((t) => t.done).length;
    out.push('', `${style.heading(phase.title)}  ${style.dim(`(${phaseDone}/${phase.tasks.length} done)`)}`);
    for (const task of phase.tasks) {
      const box = task.done ? style.done('[X]') : '[ ]';
      const parallel = task.parallel ? ` ${style.accent('[P]')}` : '';
      const story = task.story === null ? '' : ` ${style.accent(`[${task.story}]`)}`;
      out.push(`  ${box} ${task.id}${parallel}${story}  ${task.description}`);
      if (task.files.length > 0) out.push(style.dim(`        files: ${task.files.join(', ')}`));
      if (task.dependsOn.length > 0) out.push(style.dim(`        after: ${task.dependsOn.join(', ')}`));
    }
  }
  const edges = all.reduce((n, t) => n + t.dependsOn.length, 0);
  out.push('', style.heading('Dependencies'));
  out.push(
    `  ${edges} direct dependencies between ${all.length} tasks; ready now (${ready.length}): ${ready.length === 0 ? 'none' : ready.join(', ')}`,
  );
  out.push(
    `  critical path (${report.criticalPath.length}): ${report.criticalPath.length === 0 ? 'nothing left to do' : report.criticalPath.join(' -> ')}`,
  );
  if (report.warnings.length > 0) {
    out.push('', style.warn(`Warnings (${report.warnings.length})`));
    for (const w of report.warnings) {
      const where = w.line === null ? shown(w.file) : `${shown(w.file)}:${w.line}`;
      out.push(`  ${style.warn(w.severity)} ${where}: ${w.message} [${w.source}/${w.code}]`);
    }
  }
  return `${out.join('\n')}\n`;
}
