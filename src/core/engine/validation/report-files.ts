/**
 * The validation report beside the run's journal: `report.json` (the `ValidationReport`, for tools) and
 * `report.md` (for people). Both are written atomically after every round, so they always hold the latest.
 */
import { join } from 'node:path';
import type { ValidationReport } from '../../../protocol/validation-report';
import { describeValidation, reportFailures } from '../../../protocol/validation-summary';
import { writeFileAtomic } from '../../util/atomic-write';

export const REPORT_JSON = 'report.json';
export const REPORT_MARKDOWN = 'report.md';

/** Writes both files into the run's folder; returns their paths. */
export async function writeReportFiles(
  runDir: string,
  runId: string,
  report: ValidationReport,
): Promise<{ json: string; markdown: string }> {
  const json = join(runDir, REPORT_JSON);
  const markdown = join(runDir, REPORT_MARKDOWN);
  await writeFileAtomic(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(markdown, renderReportMarkdown(runId, report));
  return { json, markdown };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function list(items: readonly string[]): string {
  return items.length > 0 ? items.map((i) => `\`${i.replace(/`/g, '')}\``).join(', ') : '—';
}

export function renderReportMarkdown(runId: string, report: ValidationReport): string {
  const failures = reportFailures(report);
  const lines: string[] = [
    `# Validation report: ${report.featureId}`,
    '',
    `Run \`${runId}\`. ${describeValidation(report)}. ${failures.length > 0 ? `**Not met** (${failures.join('; ')}).` : '**Met.**'}`,
    report.maxRounds > 0
      ? `Convergence: ${report.rounds} of at most ${report.maxRounds} bug-fixer round${report.maxRounds === 1 ? '' : 's'}.`
      : 'Convergence: off.',
    '',
    '## Requirements',
    '',
  ];
  if (report.requirements.length === 0) lines.push('spec.md names no requirements, success criteria or user stories.');
  else {
    lines.push('| id | verdict | tasks | files | tests | evidence |', '|---|---|---|---|---|---|');
    for (const r of report.requirements)
      lines.push(
        `| ${r.id} | ${r.verdict} | ${cell(r.tasks.join(', ') || '—')} | ${cell(list(r.files))} | ${cell(list(r.tests))} | ${cell(r.evidence)} |`,
      );
  }
  lines.push('', '## Tests', '');
  const t = report.tests;
  lines.push(
    `${t.outcome}${t.command ? ` — \`${t.command.join(' ')}\`` : ''}${t.runs > 0 ? `, run ${t.runs} time${t.runs === 1 ? '' : 's'}` : ''}: ${t.summary}`,
  );
  for (const review of report.reviews) {
    lines.push('', `## ${review.kind === 'code' ? 'Code' : 'Security'} review`, '');
    lines.push(review.completed ? review.summary : `Did not finish: ${review.summary}`);
    if (review.findings.length > 0) lines.push('');
    for (const f of review.findings) {
      const where = f.path !== undefined ? ` \`${f.path}${f.line !== undefined ? `:${f.line}` : ''}\`` : '';
      lines.push(`- **${f.severity}**${where}: ${f.message.replace(/\s*\n\s*/g, ' ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
