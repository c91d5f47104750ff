/**
 * Evidence in the editor: every ticked task whose tick cannot prove itself gets a diagnostic on its checkbox,
 * `tick-without-evidence` (information) or `evidence-drifted` (warning, with the file and the change), from
 * the same check as `speckit-orchestra verify`.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { unifiedDiff } from '../core/evidence/unified-diff';
import { verifyTasks, type VerifyReport } from '../core/evidence/verify-tasks';
import { tasksByKey } from '../core/speckit/tasks-by-key';
import type { TasksDocument } from '../core/speckit/tasks-model';
import type { VerifyTasksResult } from '../protocol/lsp-messages';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import { taskCheckboxRange } from '../core/speckit/task-ranges';

export const EvidenceCode = {
  unverified: 'tick-without-evidence',
  drifted: 'evidence-drifted',
} as const;

/** Lines of a drift hunk shown in a diagnostic; the whole change is one `verify` away. */
const HUNK_LINES = 24;

export function evidenceDiagnostics(report: VerifyReport, document: TasksDocument): Diagnostic[] {
  const byKey = tasksByKey(document);
  const out: Diagnostic[] = [];
  for (const verdict of report.tasks) {
    const task = byKey.get(verdict.key);
    if (!task || (verdict.state !== 'unverified' && verdict.state !== 'drifted')) continue;
    const drifted = verdict.state === 'drifted';
    const hunks = (verdict.drift ?? []).flatMap((d) => (d.hunk ? d.hunk.trimEnd().split('\n') : []));
    const shown = hunks.slice(0, HUNK_LINES);
    if (hunks.length > shown.length)
      shown.push(`… ${hunks.length - shown.length} more lines (speckit-orchestra verify)`);
    out.push({
      range: taskCheckboxRange(task),
      severity: drifted ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
      code: drifted ? EvidenceCode.drifted : EvidenceCode.unverified,
      source: DIAGNOSTIC_SOURCE,
      message: drifted
        ? [`${task.id} is ticked, but its work drifted: ${verdict.detail}.`, ...shown].join('\n')
        : `${task.id} is ${verdict.detail}.`,
      data: { taskId: task.id },
    });
  }
  return out;
}

export function verifyResult(uri: string, report: VerifyReport): VerifyTasksResult {
  return {
    uri,
    summary: report.summary,
    tasks: report.tasks.map((t) => ({ taskId: t.id, state: t.state, detail: t.detail })),
  };
}

/**
 * The latest report per document text, recomputed when the text changes or when something it depends on did
 * (a journal, a file the evidence names): `invalidate` starts a new generation.
 */
export class EvidenceReports {
  private generation = 0;
  private readonly reports = new Map<string, { generation: number; text: string; report: Promise<VerifyReport> }>();

  /** Files the latest reports depend on (absolute paths), for a file watcher. */
  async dependencies(): Promise<string[]> {
    const reports = await Promise.all([...this.reports.values()].map((r) => r.report.catch(() => undefined)));
    const paths = new Set<string>();
    for (const report of reports)
      for (const task of report?.tasks ?? [])
        for (const file of task.files) if (task.evidence) paths.add(resolve(task.evidence.root, file));
    return [...paths].sort();
  }

  /** `parsed` is `text` already parsed, when the caller has it: the check then reads the text's tasks from it. */
  reportFor(uri: string, text: string, parsed?: TasksDocument): Promise<VerifyReport> {
    const { generation } = this;
    const cached = this.reports.get(uri);
    if (cached?.generation === generation && cached.text === text) return cached.report;
    const report = verifyTasks({
      tasksPath: fileURLToPath(uri),
      text,
      ...(parsed !== undefined ? { document: parsed } : {}),
      hunk: (path, before, after) => unifiedDiff(path, before, after).text,
    });
    this.reports.set(uri, { generation, text, report });
    return report;
  }

  invalidate(): void {
    this.generation++;
  }

  forget(uri: string): void {
    this.reports.delete(uri);
  }
}
