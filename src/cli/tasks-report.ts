import { basename } from 'node:path';
import {
  taskGroupsOf,
  type ChecklistGate,
  type Feature,
  type SelectionRule,
  type TasksDocument,
  type WorkspaceDiagnostic,
} from '../core/engine/light';

/**
 * The one JSON object `speckit-orchestra tasks --json` prints. Documented in the README; scripts depend on
 * it, so fields are only ever added.
 */
export interface TasksReport {
  readonly feature: {
    readonly id: string;
    readonly dir: string;
    readonly rule: SelectionRule;
    readonly detail: string;
    readonly tasksFile: string;
  };
  readonly phases: readonly ReportPhase[];
  readonly warnings: readonly ReportWarning[];
  /** Task ids along the longest dependency chain of unfinished work, first to last. */
  readonly criticalPath: readonly string[];
}

export interface ReportPhase {
  readonly title: string;
  readonly tasks: readonly ReportTask[];
}

export interface ReportTask {
  readonly id: string;
  readonly done: boolean;
  readonly parallel: boolean;
  readonly story: string | null;
  readonly description: string;
  readonly files: readonly string[];
  /** 1-based line of the task's checkbox in tasks.md. */
  readonly line: number;
  /** Ids of the tasks this one waits for directly. */
  readonly dependsOn: readonly string[];
}

export interface ReportWarning {
  /** Where it comes from: the tasks.md parser, the task graph, the checklist gate, or the workspace scan. */
  readonly source: 'tasks' | 'graph' | 'checklists' | 'workspace';
  readonly severity: 'error' | 'warning' | 'info';
  readonly code: string;
  readonly message: string;
  readonly file: string;
  /** 1-based, when the warning points at a line. */
  readonly line: number | null;
}

/** What the graph contributes to the report; kept narrow so the report does not depend on the graph's shape. */
export interface ReportDependencies {
  /** Direct prerequisites of a task, by task key. */
  dependsOn(taskKey: string): readonly string[];
  readonly criticalPath: readonly string[];
  readonly warnings: readonly {
    readonly code: string;
    readonly message: string;
    readonly line: number | null;
    readonly severity: 'error' | 'warning' | 'info';
  }[];
}

export const NO_PHASE_TITLE = '(outside any phase)';

export interface ReportInputs {
  readonly feature: Feature;
  readonly rule: SelectionRule;
  readonly detail: string;
  readonly tasksFile: string;
  readonly document: TasksDocument;
  readonly dependencies: ReportDependencies;
  readonly checklists: ChecklistGate;
  readonly workspaceDiagnostics: readonly WorkspaceDiagnostic[];
}

export function buildTasksReport(inputs: ReportInputs): TasksReport {
  const { document, dependencies, tasksFile } = inputs;
  const toReportTask = (index: number): ReportTask => {
    const task = document.tasks[index];
    if (task === undefined) throw new RangeError(`no task at index ${index}`);
    return {
      id: task.id,
      done: task.done,
      parallel: task.parallel,
      story: task.story ?? null,
      description: task.description,
      files: task.files,
      line: task.line + 1,
      dependsOn: dependencies.dependsOn(task.key),
    };
  };
  // Tasks before the first phase or inside a non-phase section are still tasks: listed where they stand.
  const phases: ReportPhase[] = taskGroupsOf(document).map((group) => ({
    title: group.kind === 'phase' ? group.phase.heading : NO_PHASE_TITLE,
    tasks: group.tasks.map((t) => toReportTask(t.index)),
  }));

  const warnings: ReportWarning[] = [
    ...inputs.workspaceDiagnostics.map((d) => ({
      source: 'workspace' as const,
      severity: d.severity,
      code: d.code,
      message: d.message,
      file: d.file,
      line: d.line ?? null,
    })),
    ...document.diagnostics.map((d) => ({
      source: 'tasks' as const,
      severity: d.severity === 'information' ? ('info' as const) : d.severity,
      code: d.code,
      message: d.message,
      file: tasksFile,
      line: d.range.start.line + 1,
    })),
    ...dependencies.warnings.map((w) => ({ source: 'graph' as const, ...w, file: tasksFile })),
    ...inputs.checklists.diagnostics.map((d) => ({
      source: 'checklists' as const,
      severity: d.severity,
      code: d.code,
      message: d.message,
      file: d.file,
      line: d.line ?? null,
    })),
    ...inputs.checklists.checklists
      .filter((c) => c.unchecked > 0)
      .map((c) => ({
        source: 'checklists' as const,
        severity: 'warning' as const,
        code: 'checklist-incomplete',
        message: `${basename(c.file)}: ${c.unchecked} of ${c.total} items unchecked`,
        file: c.file,
        line: null,
      })),
  ];
  return {
    feature: { id: inputs.feature.id, dir: inputs.feature.dir, rule: inputs.rule, detail: inputs.detail, tasksFile },
    phases,
    warnings,
    criticalPath: dependencies.criticalPath,
  };
}
