/**
 * The validation phase's answer to "is the spec met?": a verdict per requirement (`FR-…`), success criterion
 * (`SC-…`) and user story of spec.md, the two reviews' findings, and the test run. It is journaled (a
 * `validation-report` record), sent to the faces (a `validation-report` event), and written beside the journal
 * as `report.json` and `report.md`. Crosses process and version boundaries, so it has a schema.
 */
import * as z from 'zod';
import { REQUIREMENT_VERDICTS } from './validation-summary';

export const requirementResultSchema = z.object({
  /** `FR-001`, `SC-002`, `US1`, as spec.md writes it. */
  id: z.string(),
  kind: z.enum(['requirement', 'success-criterion', 'user-story']),
  /** The spec's own words (a story's title). */
  text: z.string(),
  verdict: z.enum(REQUIREMENT_VERDICTS),
  /** Task ids that work on it. */
  tasks: z.array(z.string()),
  /** Workspace-relative files that implement it. */
  files: z.array(z.string()),
  /** Tests that show it (files or test names). */
  tests: z.array(z.string()),
  /** Why the verdict, in the reviewer's words; for `unverified`, why nobody judged it. */
  evidence: z.string(),
});
export type RequirementResult = z.infer<typeof requirementResultSchema>;

export const reviewFindingSchema = z.object({
  severity: z.enum(['info', 'warning', 'error']),
  message: z.string(),
  path: z.string().optional(),
  line: z.number().int().positive().optional(),
});
export type ReviewFinding = z.infer<typeof reviewFindingSchema>;

export const reviewResultSchema = z.object({
  kind: z.enum(['code', 'security']),
  /** False when the reviewer did not finish (its findings so far are kept). */
  completed: z.boolean(),
  /** The reviewer's summary, or why it did not finish. */
  summary: z.string(),
  findings: z.array(reviewFindingSchema),
});
export type ReviewResult = z.infer<typeof reviewResultSchema>;

export const testRunResultSchema = z.object({
  /** `passed` / `failed` after the last run; `not-run`: no test command, or it was not allowed. */
  outcome: z.enum(['passed', 'failed', 'not-run']),
  /** The command as run (no shell), absent when none ran. */
  command: z.array(z.string()).optional(),
  exitCode: z.number().int().nullable().optional(),
  /** How many times it ran (the first run and one per convergence round). */
  runs: z.number().int().nonnegative(),
  /** One line: why it failed, or why it did not run. */
  summary: z.string(),
});
export type TestRunResult = z.infer<typeof testRunResultSchema>;

export const validationReportSchema = z.object({
  featureId: z.string(),
  /** Convergence rounds the bug-fixer had (0: none were needed, or none allowed), and the most allowed. */
  rounds: z.number().int().nonnegative(),
  maxRounds: z.number().int().nonnegative(),
  requirements: z.array(requirementResultSchema),
  reviews: z.array(reviewResultSchema),
  tests: testRunResultSchema,
});
export type ValidationReport = z.infer<typeof validationReportSchema>;
