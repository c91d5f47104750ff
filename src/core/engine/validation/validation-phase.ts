/**
 * The validation phase after the last phase answers "is the spec met?". The code review, the security review
 * and the test run start together. The code reviewer also judges every requirement, success criterion and user
 * story of spec.md (`report_requirement`); both reviewers report findings per file and line
 * (`report_findings`). Any fix they propose goes through the gate like every edit.
 *
 * Then a bounded convergence loop: while a requirement is `missing` or the tests fail, the bug-fixer gets them
 * (at most `convergeRounds` rounds), and the tests and the missing requirements are checked again. Each
 * round's report goes to `onReport` (journal, faces, report files).
 */
import * as z from 'zod';
import type { WorkerRole } from '../../../protocol/engine-events';
import type {
  RequirementResult,
  ReviewFinding,
  ReviewResult,
  TestRunResult,
  ValidationReport,
} from '../../../protocol/validation-report';
import { reportFailures } from '../../../protocol/validation-summary';
import { defineTool, toolOk, type ToolDefinition } from '../../agents/tools/tool';
import { parseSpec } from '../../speckit/spec-model';
import type { TasksDocument } from '../../speckit/tasks-model';
import type { CommandService } from '../commands/command-service';
import type { CommandOutcome } from '../../ports/command-runner';
import type { FinishedCommand } from '../journal/fold';
import type { FeatureTexts } from '../orchestrators/spec-kit-planner';
import type { CoverageItem, RunPlan } from '../facade-types';
import { runWorker, type WorkerDeps } from '../workers/task-execution';
import { VALIDATION_COMMANDS } from '../scheduler/command-choice';
import { mapCoverage } from './coverage';
import { requirementsBrief, RequirementsCheck } from './requirements-check';

type FindingSource = 'code-review' | 'security-review' | 'tests' | 'coverage';
type ReviewKind = ReviewResult['kind'];

export interface ValidationDeps {
  plan: RunPlan;
  doc: TasksDocument;
  texts: FeatureTexts;
  status(key: string): string;
  changedFiles(key: string): readonly string[];
  workers: WorkerDeps;
  commands: CommandService;
  /** Commands a resumed run finished already: a passing test run after the last edit is not repeated. */
  previousCommands: readonly FinishedCommand[];
  /** True when some edit was applied after the given time (or in this session). */
  editsSince(iso: string): boolean;
  /** Most rounds of the convergence loop (the bug-fixer on missing requirements and failing tests); 0: none. */
  convergeRounds: number;
  onFinding(): void;
  /** Each round's report, the last one final: the run journals it, shows it and writes the report files. */
  onReport(report: ValidationReport): Promise<void>;
  signal: AbortSignal;
}

export interface ValidationResult {
  coverage: CoverageItem[];
  report: ValidationReport;
}

const findingsInput = z.object({
  findings: z
    .array(
      z.object({
        path: z.string().describe('workspace-relative file'),
        line: z.number().int().positive().optional().describe('1-based line, when the finding has one'),
        severity: z.enum(['info', 'warning', 'error']),
        message: z.string().min(1),
      }),
    )
    .describe('every problem found; an empty list when there is none'),
});

function reportFindingsTool(source: FindingSource, record: (finding: ReviewFinding) => void): ToolDefinition {
  return defineTool({
    name: 'report_findings',
    description: `Report review findings (${source}), each with its file, line and severity. Call it once with all findings, then call complete_task.`,
    inputSchema: findingsInput,
    async run(input) {
      for (const f of input.findings)
        record({
          path: f.path,
          severity: f.severity,
          message: f.message,
          ...(f.line !== undefined ? { line: f.line } : {}),
        });
      return toolOk(`Recorded ${input.findings.length} finding${input.findings.length === 1 ? '' : 's'}.`);
    },
  });
}

function tail(text: string, chars: number): string {
  return text.length <= chars ? text : `…${text.slice(text.length - chars)}`;
}

/** The last test run: its result, and the output a bug-fixer needs when it failed. */
interface TestRun {
  result: TestRunResult;
  failure?: { argv: readonly string[]; output: string };
}

export async function runValidation(deps: ValidationDeps): Promise<ValidationResult> {
  const { workers, signal } = deps;
  const emitFinding = (source: FindingSource, finding: ReviewFinding): void => {
    deps.onFinding();
    workers.events.emit({
      type: 'finding',
      source,
      severity: finding.severity,
      message: finding.message,
      ...(finding.path !== undefined ? { path: finding.path } : {}),
      ...(finding.line !== undefined ? { line: finding.line } : {}),
    });
  };
  const byKey = new Map(deps.doc.tasks.map((t) => [t.key, t]));
  const taskId = (key: string): string => byKey.get(key)?.id ?? key;
  const doneTasks = deps.doc.tasks.filter((t) => deps.status(t.key) === 'done');
  const files = [...new Set(doneTasks.flatMap((t) => [...t.files, ...deps.changedFiles(t.key)]))].sort();
  const testCommand = deps.plan.settings.commands['test'];

  const coverage =
    deps.texts.spec === undefined
      ? []
      : mapCoverage(
          parseSpec(deps.texts.spec, 'spec.md'),
          deps.doc.tasks.map((t) => ({
            key: t.key,
            text: [t.description, ...t.details].join('\n'),
            ...(t.story !== undefined ? { story: t.story } : {}),
            files: t.files,
            done: deps.status(t.key) === 'done',
          })),
          (key) => deps.changedFiles(key),
        );
  const check = new RequirementsCheck(coverage, taskId);
  const allIds = coverage.map((c) => c.id);
  workers.events.log(
    'info',
    `validation: code review (judging ${allIds.length} requirements and stories), security review${testCommand ? ' and the test run' : ''}, together, over ${files.length} files`,
  );

  const review = async (kind: ReviewKind): Promise<ReviewResult> => {
    const source: FindingSource = kind === 'code' ? 'code-review' : 'security-review';
    const judging = kind === 'code' ? allIds : [];
    const findings: ReviewFinding[] = [];
    const extraTools = [
      reportFindingsTool(source, (f) => {
        findings.push(f);
        emitFinding(source, f);
      }),
      ...(judging.length > 0 ? [check.tool(judging)] : []),
    ];
    const message = [
      `# Validation: ${kind === 'code' ? 'code review' : 'security review'} of feature ${deps.plan.feature.id}`,
      kind === 'code'
        ? 'Review for correctness against the spec, the constitution and the plan; naming, duplication and error handling.'
        : 'Review for security: injection, path traversal, unsafe deserialisation, secrets in code, missing input validation, unsafe defaults.',
      `## Files changed by the run\n${files.map((f) => `- ${f}`).join('\n') || '(none)'}`,
      ...(judging.length > 0 ? [requirementsBrief(coverage, taskId)] : []),
      `Read the files, report every finding with report_findings (file, line, severity)${judging.length > 0 ? ', judge every requirement with report_requirement' : ''}, propose a fix only when it is small and certain, then call complete_task.`,
    ].join('\n\n');
    const { outcome } = await runWorker(
      workers,
      {
        taskKey: `validation:${source}`,
        role: 'reviewer' satisfies WorkerRole,
        commands: [kind === 'code' ? VALIDATION_COMMANDS.codeReview : VALIDATION_COMMANDS.securityReview],
        commandArguments: files.length > 0 ? files.join(' ') : 'the changes of this run',
        message,
        extraTools,
        ...(kind === 'security' ? { agent: 'security-reviewer' } : {}),
        ...(judging.length > 0 ? { verifyCompletion: askForUnjudged(check, judging) } : {}),
      },
      signal,
    );
    const completed = outcome.kind === 'completed';
    const summary = completed ? outcome.completion.summary : `did not finish: ${reasonOf(outcome)}`;
    if (!completed) emitFinding(source, { severity: 'warning', message: `the ${source} ${summary}` });
    return { kind, completed, summary, findings };
  };

  let testRuns = 0;
  const runTests = async (first: boolean): Promise<TestRun> => {
    if (!testCommand) {
      workers.events.log('info', 'validation: no test command configured; the test run is skipped');
      return { result: { outcome: 'not-run', runs: 0, summary: 'no test command is configured' } };
    }
    const finishedEarlier = [...deps.previousCommands]
      .reverse()
      .find((c) => c.name === 'test' && c.outcome === 'exited');
    if (first && finishedEarlier && finishedEarlier.exitCode === 0 && !deps.editsSince(finishedEarlier.at)) {
      workers.events.log(
        'info',
        'validation: the test run passed before the interruption and nothing changed since; not run again',
      );
      return {
        result: {
          outcome: 'passed',
          command: [...finishedEarlier.argv],
          exitCode: 0,
          runs: 0,
          summary: 'passed before the interruption; nothing changed since',
        },
      };
    }
    workers.events.log('info', `validation: ${commandLineOf(VALIDATION_COMMANDS.tests)} runs ${testCommand.join(' ')}`);
    const outcome = await deps.commands.run('test', {
      taskKey: 'validation:tests',
      workerId: 'validation-tests',
      signal,
    });
    testRuns++;
    const run = testRunOf(outcome, testRuns);
    switch (run.result.outcome) {
      case 'passed':
        workers.events.log('info', 'validation: the tests pass');
        break;
      case 'failed':
        emitFinding('tests', { severity: 'error', message: run.result.summary });
        break;
      case 'not-run':
        emitFinding('tests', { severity: 'warning', message: run.result.summary });
        break;
    }
    return run;
  };

  const [codeReview, securityReview, firstTests] = await Promise.all([
    review('code'),
    review('security'),
    runTests(true),
  ]);
  let tests = firstTests;
  const whyUnverified = (item: CoverageItem): string =>
    codeReview.completed
      ? `the code review did not judge it${item.taskKeys.length === 0 ? '; no task cites it' : ''}`
      : `the code review ${codeReview.summary}`;
  const assemble = (rounds: number): ValidationReport => ({
    featureId: deps.plan.feature.id,
    rounds,
    maxRounds: deps.convergeRounds,
    requirements: check.results(whyUnverified),
    reviews: [codeReview, securityReview],
    tests: tests.result,
  });
  let report = assemble(0);
  await deps.onReport(report);

  for (let round = 1; round <= deps.convergeRounds && reportFailures(report).length > 0; round++) {
    if (signal.aborted) break;
    const missing = report.requirements.filter((r) => r.verdict === 'missing');
    workers.events.log(
      'info',
      `validation: convergence round ${round} of ${deps.convergeRounds}: the bug-fixer on ${reportFailures(report).join('; ')}`,
    );
    if (missing.length > 0) await fixRequirements(missing, round);
    const failure = tests.failure;
    if (failure && !signal.aborted) await fixTests(failure, round);
    if (signal.aborted) break;
    const ids = missing.map((r) => r.id);
    check.reopen(ids);
    const [, again] = await Promise.all([
      ids.length > 0 ? recheck(ids, round) : Promise.resolve(),
      testCommand ? runTests(false) : Promise.resolve(tests),
    ]);
    tests = again;
    report = assemble(round);
    await deps.onReport(report);
  }

  for (const r of report.requirements) {
    if (r.verdict === 'met') continue;
    const severity = r.verdict === 'missing' ? 'error' : r.verdict === 'partial' ? 'warning' : 'info';
    emitFinding('coverage', { severity, path: 'spec.md', message: `${r.id} ${r.verdict}: ${r.evidence}` });
  }
  return { coverage, report };

  async function fixRequirements(missing: readonly RequirementResult[], round: number): Promise<void> {
    const message = [
      `# Requirements the review found missing (convergence round ${round})`,
      ...missing.map(
        (r) =>
          `## ${r.id}: ${r.text}\nReview: ${r.evidence}\nTasks: ${r.tasks.join(', ') || 'none'}; files: ${r.files.join(', ') || 'none'}`,
      ),
      'Implement what each one still lacks with the smallest complete change, with tests where the project has them, and call complete_task.',
    ].join('\n\n');
    await runWorker(
      workers,
      {
        taskKey: 'validation:requirements',
        role: 'bug-fixer',
        commands: ['implement'],
        commandArguments: `the requirements the review found missing: ${missing.map((r) => r.id).join(', ')}`,
        message,
      },
      signal,
    );
  }

  async function fixTests(failure: { argv: readonly string[]; output: string }, round: number): Promise<void> {
    const message = `# The test run fails (convergence round ${round})\n\nCommand: ${failure.argv.join(' ')}\n\n\`\`\`\n${failure.output}\n\`\`\`\n\nFind the cause in the code (or in a wrong test), fix it with the smallest change, and call complete_task.`;
    await runWorker(
      workers,
      {
        taskKey: 'validation:tests',
        role: 'bug-fixer',
        commands: [VALIDATION_COMMANDS.tests],
        commandArguments: `the failing test run (${failure.argv.join(' ')})`,
        message,
      },
      signal,
    );
  }

  /** A reviewer judges the requirements the bug-fixer worked on again. */
  async function recheck(ids: readonly string[], round: number): Promise<void> {
    const items = coverage.filter((c) => ids.includes(c.id));
    const message = [
      `# Validation: requirements re-check of feature ${deps.plan.feature.id} (convergence round ${round})`,
      'The bug-fixer worked on these requirements since the review found them missing. Judge them again from the code as it is now.',
      requirementsBrief(items, taskId),
      'Report each with report_requirement, then call complete_task.',
    ].join('\n\n');
    await runWorker(
      workers,
      {
        taskKey: 'validation:requirements-check',
        role: 'reviewer',
        commands: [VALIDATION_COMMANDS.codeReview],
        commandArguments: ids.join(' '),
        message,
        extraTools: [check.tool(ids)],
        verifyCompletion: askForUnjudged(check, ids),
      },
      signal,
    );
  }
}

/** A reviewer that completes with ids unjudged is asked once to judge them; then its word stands. */
function askForUnjudged(check: RequirementsCheck, ids: readonly string[]) {
  let asked = false;
  return () => {
    const left = check.unjudged(ids);
    if (left.length === 0 || asked) return { kind: 'accept' as const };
    asked = true;
    return {
      kind: 'question' as const,
      question: `complete_task was not accepted yet: you have not judged ${left.join(', ')}. Call report_requirement for each (met, partial or missing, with the evidence), then call complete_task again.`,
    };
  };
}

function reasonOf(outcome: { kind: string; reason?: string }): string {
  return outcome.reason ?? outcome.kind;
}

function commandLineOf(name: string): string {
  return `/${name}`;
}

function testRunOf(outcome: CommandOutcome, runs: number): TestRun {
  switch (outcome.kind) {
    case 'unknown-command':
      return {
        result: {
          outcome: 'not-run',
          runs,
          summary: `the test command is not configured (available: ${outcome.available.join(', ') || 'none'})`,
        },
      };
    case 'denied':
      return { result: { outcome: 'not-run', runs, summary: `the test run was not allowed: ${outcome.reason}` } };
    case 'ran': {
      const r = outcome.result;
      const command = [...outcome.argv];
      if (r.kind === 'failed-to-start')
        return {
          result: { outcome: 'failed', command, runs, summary: `the test command could not start: ${r.message}` },
          failure: { argv: command, output: r.message },
        };
      if (r.exitCode === 0 && !r.timedOut)
        return { result: { outcome: 'passed', command, exitCode: 0, runs, summary: 'the tests pass' } };
      const output = tail(`${r.stdout}\n${r.stderr}`.trim(), 6_000);
      return {
        result: {
          outcome: 'failed',
          command,
          exitCode: r.exitCode,
          runs,
          summary: `the tests fail (${r.timedOut ? 'timed out' : `exit ${String(r.exitCode ?? r.signal)}`}): ${tail(output, 300)}`,
        },
        failure: { argv: command, output },
      };
    }
    default: {
      const never: never = outcome;
      throw new Error(`unexpected command outcome ${JSON.stringify(never)}`);
    }
  }
}
