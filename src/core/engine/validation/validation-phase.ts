/**
 * The validation phase after the last phase: code review, security review and the test run, in parallel.
 * Reviewers report findings per file and line (`report_findings`); any fix they propose goes through the gate
 * like every edit. A failing test run gets the bug-fixer with the output, a bounded number of times. Then the
 * spec's requirements and user stories are mapped to the tasks and files that cover them.
 */
import { z } from 'zod';
import type { WorkerRole } from '../../../protocol/engine-events';
import { defineTool, toolOk, type ToolDefinition } from '../../agents/tools/tool';
import { parseSpec } from '../../speckit/spec-model';
import type { TasksDocument } from '../../speckit/tasks-model';
import type { CommandService } from '../commands/command-service';
import type { CommandOutcome } from '../../ports/command-runner';
import type { FinishedCommand } from '../journal/fold';
import type { FeatureTexts } from '../orchestrators/spec-kit-planner';
import type { CoverageItem, RunPlan } from '../facade-types';
import { runWorker, type WorkerDeps } from '../workers/task-execution';
import { describeUncovered, mapCoverage } from './coverage';
import { VALIDATION_COMMANDS } from '../scheduler/command-choice';

type FindingSource = 'code-review' | 'security-review' | 'tests' | 'coverage';
type Severity = 'info' | 'warning' | 'error';

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
  bugFixAttempts: number;
  onFinding(): void;
  signal: AbortSignal;
}

export interface ValidationResult {
  coverage: CoverageItem[];
  testsFailed: boolean;
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

function reportFindingsTool(
  source: FindingSource,
  emit: (f: { path: string; line?: number; severity: Severity; message: string }) => void,
): ToolDefinition {
  return defineTool({
    name: 'report_findings',
    description: `Report review findings (${source}), each with its file, line and severity. Call it once with all findings, then call complete_task.`,
    inputSchema: findingsInput,
    async run(input) {
      for (const f of input.findings)
        emit({
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

export async function runValidation(deps: ValidationDeps): Promise<ValidationResult> {
  const { workers, signal } = deps;
  const finding = (source: FindingSource, severity: Severity, message: string, path?: string, line?: number) => {
    deps.onFinding();
    workers.events.emit({
      type: 'finding',
      source,
      severity,
      message,
      ...(path !== undefined ? { path } : {}),
      ...(line !== undefined ? { line } : {}),
    });
  };
  const doneTasks = deps.doc.tasks.filter((t) => deps.status(t.key) === 'done');
  const files = [...new Set(doneTasks.flatMap((t) => [...t.files, ...deps.changedFiles(t.key)]))].sort();
  workers.events.log(
    'info',
    `validation: code review, security review${deps.plan.settings.commands['test'] ? ' and the test run' : ''} over ${files.length} files`,
  );

  const review = async (source: 'code-review' | 'security-review'): Promise<void> => {
    const role: WorkerRole = 'reviewer';
    const focus =
      source === 'code-review'
        ? 'Review for correctness against the spec, the constitution and the plan; naming, duplication and error handling.'
        : 'Review for security: injection, path traversal, unsafe deserialisation, secrets in code, missing input validation, unsafe defaults.';
    const command = source === 'code-review' ? VALIDATION_COMMANDS.codeReview : VALIDATION_COMMANDS.securityReview;
    const message = [
      `# Validation: ${source === 'code-review' ? 'code review' : 'security review'} of feature ${deps.plan.feature.id}`,
      focus,
      `## Files changed by the run\n${files.map((f) => `- ${f}`).join('\n') || '(none)'}`,
      'Read the files, report every finding with report_findings (file, line, severity), propose a fix only when it is small and certain, then call complete_task.',
    ].join('\n\n');
    const tool = reportFindingsTool(source, (f) => finding(source, f.severity, f.message, f.path, f.line));
    const { outcome } = await runWorker(
      workers,
      {
        taskKey: `validation:${source}`,
        role,
        commands: [command],
        commandArguments: files.length > 0 ? files.join(' ') : 'the changes of this run',
        message,
        extraTools: [tool],
        ...(source === 'security-review' ? { agent: 'security-reviewer' } : {}),
      },
      signal,
    );
    if (outcome.kind === 'failed' || outcome.kind === 'budget-exceeded')
      finding(source, 'warning', `the ${source} did not finish: ${outcome.reason}`);
  };

  const tests = async (): Promise<boolean> => {
    if (!deps.plan.settings.commands['test']) {
      workers.events.log('info', 'validation: no test command configured; the test run is skipped');
      return false;
    }
    const finishedEarlier = [...deps.previousCommands]
      .reverse()
      .find((c) => c.name === 'test' && c.outcome === 'exited');
    if (finishedEarlier && finishedEarlier.exitCode === 0 && !deps.editsSince(finishedEarlier.at)) {
      workers.events.log(
        'info',
        'validation: the test run passed before the interruption and nothing changed since; not run again',
      );
      return false;
    }
    let outcome = await deps.commands.run('test', {
      taskKey: 'validation:tests',
      workerId: 'validation-tests',
      signal,
    });
    for (let attempt = 1; ; attempt++) {
      const failure = describeTestFailure(outcome);
      if (failure === undefined) {
        workers.events.log('info', 'validation: the tests pass');
        return false;
      }
      finding('tests', 'error', failure.summary);
      if (outcome.kind !== 'ran' || attempt > deps.bugFixAttempts || signal.aborted) return true;
      const message = `# The test run fails\n\nCommand: ${outcome.argv.join(' ')}\n\n\`\`\`\n${failure.output}\n\`\`\`\n\nFind the cause in the code (or in a wrong test), fix it with the smallest change, and call complete_task.`;
      const fixed = await runWorker(
        workers,
        {
          taskKey: 'validation:tests',
          role: 'bug-fixer',
          commands: [VALIDATION_COMMANDS.tests],
          commandArguments: `the failing test run (${outcome.argv.join(' ')})`,
          message,
        },
        signal,
      );
      if (fixed.outcome.kind === 'cancelled') return true;
      outcome = await deps.commands.run('test', { taskKey: 'validation:tests', workerId: 'validation-tests', signal });
    }
  };

  const [, , testsFailed] = await Promise.all([review('code-review'), review('security-review'), tests()]);

  let coverage: CoverageItem[] = [];
  if (deps.texts.spec !== undefined) {
    const spec = parseSpec(deps.texts.spec, 'spec.md');
    coverage = mapCoverage(
      spec,
      deps.doc.tasks.map((t) => ({
        key: t.key,
        text: [t.description, ...t.details].join('\n'),
        ...(t.story !== undefined ? { story: t.story } : {}),
        files: t.files,
        done: deps.status(t.key) === 'done',
      })),
      (key) => deps.changedFiles(key),
    );
    for (const line of describeUncovered(coverage)) finding('coverage', 'warning', line, 'spec.md');
    const covered = coverage.filter((c) => c.covered).length;
    workers.events.log('info', `validation: ${covered}/${coverage.length} requirements and user stories covered`);
  }
  return { coverage, testsFailed };
}

function describeTestFailure(outcome: CommandOutcome): { summary: string; output: string } | undefined {
  switch (outcome.kind) {
    case 'unknown-command':
      return {
        summary: `the test command is not configured (available: ${outcome.available.join(', ') || 'none'})`,
        output: '',
      };
    case 'denied':
      return { summary: `the test run was not allowed: ${outcome.reason}`, output: '' };
    case 'ran': {
      const r = outcome.result;
      if (r.kind === 'failed-to-start')
        return { summary: `the test command could not start: ${r.message}`, output: r.message };
      if (r.exitCode === 0 && !r.timedOut) return undefined;
      const output = tail(`${r.stdout}\n${r.stderr}`.trim(), 6_000);
      return {
        summary: `the tests fail (${r.timedOut ? 'timed out' : `exit ${String(r.exitCode ?? r.signal)}`}): ${tail(output, 300)}`,
        output,
      };
    }
    default: {
      const never: never = outcome;
      throw new Error(`unexpected command outcome ${JSON.stringify(never)}`);
    }
  }
}
