/**
 * The verdicts a validation report gives and the one-line summary every face prints of it. Apart from the report's
 * schema (`validation-report.ts`) so a face that only shows a report does not load the schema library: the
 * extension's activation bundle shows reports and never parses one.
 */
import type { ValidationReport } from './validation-report';

/**
 * `met`: the code does what it says, shown by tasks, files and (where there are some) tests. `partial`: some of
 * it. `missing`: not done. `unverified`: nobody could judge it (the review did not reach it, or did not run).
 */
export const REQUIREMENT_VERDICTS = ['met', 'partial', 'missing', 'unverified'] as const;
export type RequirementVerdict = (typeof REQUIREMENT_VERDICTS)[number];

/** Counts of each verdict, for summaries. */
export function verdictCounts(report: Pick<ValidationReport, 'requirements'>): Record<RequirementVerdict, number> {
  const counts: Record<RequirementVerdict, number> = { met: 0, partial: 0, missing: 0, unverified: 0 };
  for (const r of report.requirements) counts[r.verdict]++;
  return counts;
}

/** What fails a run: a requirement `missing`, or tests that still fail. `unverified` alone does not. */
export function reportFailures(report: Pick<ValidationReport, 'requirements' | 'tests'>): string[] {
  const missing = report.requirements.filter((r) => r.verdict === 'missing').map((r) => r.id);
  const failures: string[] = [];
  if (missing.length > 0) failures.push(`missing: ${missing.join(', ')}`);
  if (report.tests.outcome === 'failed') failures.push('the tests fail');
  return failures;
}

/** "7 requirements: 5 met, 1 partial, 1 missing · tests pass": one line every face prints the same way. */
export function describeValidation(report: Pick<ValidationReport, 'requirements' | 'tests'>): string {
  const counts = verdictCounts(report);
  const requirements =
    report.requirements.length === 0
      ? 'no requirements in spec.md'
      : `${report.requirements.length} requirement${report.requirements.length === 1 ? '' : 's'}: ${REQUIREMENT_VERDICTS.filter(
          (v) => counts[v] > 0,
        )
          .map((v) => `${counts[v]} ${v}`)
          .join(', ')}`;
  const tests =
    report.tests.outcome === 'passed'
      ? 'tests pass'
      : report.tests.outcome === 'failed'
        ? 'tests fail'
        : `tests not run (${report.tests.summary})`;
  return `${requirements} · ${tests}`;
}
