/**
 * The task-orchestrator in fallback mode (no spec-kit project): ONE model call turns the user's request into
 * phases Setup → Core → Testing → Documentation → Review with concrete tasks. The answer is structured: the
 * model must call `submit_plan`, whose input schema IS the plan. The plan is shown for approval before anything
 * runs and saved as `specs/NNN-slug/tasks.md` (next free number), so the run is resumable like any other.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../util/atomic-write';
import type { LlmProvider, LlmToolUseBlock, LlmUsage } from '../../llm/provider';
import { costUsd, priceFor, type PriceTable } from '../../llm/prices';
import type { UsageTotals, WorkerRole } from '../../../protocol/engine-events';
import { countOf } from '../../../protocol/run-wording';
import { loadDefinitions } from '../../agents/definitions/load-definitions';
import { LlmError } from '../../llm/errors';
import { parseTasks } from '../../speckit/tasks-parser';
import { errorCode } from '../../util/fs-errors';
import type { EngineSettings, ModelTier, PlanningCall, RunPlan } from '../facade-types';
import type { Confirm } from '../../ports/consent';
import type { RunEvents } from '../events/run-events';
import { forecastCost } from './forecast';
import { buildPlanGraph } from './plan-graph';
import { defaultTierOf, PlanError, plannedTasks, previewSchedule, storyParallelismOf } from './spec-kit-planner';
import { chooseStrategy } from './strategy';
import { commandViews } from '../scheduler/command-choice';

export const FALLBACK_PHASES = ['Setup', 'Core', 'Testing', 'Documentation', 'Review'] as const;

const planSchema = z.object({
  title: z.string().min(1).describe('short title of the work'),
  slug: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
    .max(40)
    .describe('kebab-case folder name, e.g. "csv-export"'),
  complexity: z.enum(['small', 'medium', 'large']),
  rationale: z.string().describe('one or two sentences: why this breakdown and complexity'),
  phases: z
    .array(
      z.object({
        name: z.enum(FALLBACK_PHASES),
        tasks: z
          .array(
            z.object({
              description: z.string().min(1).describe('what to do, concretely'),
              files: z.array(z.string()).describe('workspace-relative files the task creates or changes'),
              parallel: z
                .boolean()
                .describe('true when it touches no file another task of the phase touches and needs none of them'),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

export type DraftPlan = z.infer<typeof planSchema>;

/**
 * How the answer must come back, after the role prompt (built in, or the project's
 * `.claude/agents/task-orchestrator.md`): a project file changes how the orchestrator plans, never the shape
 * the engine parses.
 */
const ANSWER_PROTOCOL = `# This time: plan a request, in one answer
There is no spec-kit project: turn the user's request into an implementation plan and submit it by calling submit_plan exactly once. It is your only tool here.
Phases, in this order, leaving out ones that have nothing to do: ${FALLBACK_PHASES.join(' → ')}.
Each task is one small, concrete change that names the files it creates or changes (workspace-relative). Testing tasks write tests; Documentation tasks write Markdown; Review tasks check the work.
Mark a task parallel only when no other task of its phase touches its files.`;

/** Renders the plan as a spec-kit tasks.md (the format every face and the parser understand). */
export function renderTasksMarkdown(plan: DraftPlan, request: string): string {
  const lines = [
    `# Tasks: ${plan.title}`,
    '',
    `**Input**: the request "${request.replace(/\s+/g, ' ').trim()}"`,
    `**Planned by**: Spec-Kit Agent Orchestra (fallback mode)`,
    '',
  ];
  let n = 0;
  const ordered = FALLBACK_PHASES.flatMap((name) => plan.phases.filter((p) => p.name === name));
  ordered.forEach((phase, index) => {
    lines.push(`## Phase ${index + 1}: ${phase.name}`, '');
    for (const task of phase.tasks) {
      n++;
      const id = `T${String(n).padStart(3, '0')}`;
      const missing = task.files.filter((f) => !task.description.includes(f));
      const files = missing.length > 0 ? ` in ${missing.map((f) => `\`${f}\``).join(', ')}` : '';
      lines.push(`- [ ] ${id}${task.parallel ? ' [P]' : ''} ${task.description.replace(/\s+/g, ' ').trim()}${files}`);
    }
    lines.push('');
  });
  return lines.join('\n');
}

async function nextFeatureNumber(root: string): Promise<string> {
  let highest = 0;
  try {
    for (const entry of await readdir(join(root, 'specs'), { withFileTypes: true })) {
      const match = /^(\d{3,})-/.exec(entry.name);
      if (entry.isDirectory() && match?.[1]) highest = Math.max(highest, Number(match[1]));
    }
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  return String(highest + 1).padStart(3, '0');
}

export interface FallbackInput {
  root: string;
  request: string;
  provider: LlmProvider;
  settings: EngineSettings;
  signal: AbortSignal;
  now(): Date;
}

export async function draftFallbackPlan(input: FallbackInput): Promise<RunPlan> {
  const { settings } = input;
  const definitions = await loadDefinitions(input.root, input.signal);
  const tierOf = (role: WorkerRole): ModelTier => definitions.agents.get(role)?.modelTier ?? defaultTierOf(role);
  const orchestrator = definitions.agents.get('task-orchestrator');
  const model =
    settings.modelByRole['task-orchestrator'] ?? orchestrator?.model ?? settings.models[tierOf('task-orchestrator')];
  const { $schema: _ignored, ...schema } = z.toJSONSchema(planSchema) as Record<string, unknown>;
  let toolUse: LlmToolUseBlock | undefined;
  let planningCall: PlanningCall | undefined;
  try {
    const response = await input.provider.send(
      {
        model,
        maxTokens: 8_000,
        system: [...(orchestrator ? [{ text: orchestrator.prompt }] : []), { text: ANSWER_PROTOCOL }],
        messages: [{ role: 'user', content: [{ type: 'text', text: `Request:\n${input.request}` }] }],
        tools: [
          {
            name: 'submit_plan',
            description: 'Submit the implementation plan.',
            inputSchema: { ...schema, type: 'object' },
          },
        ],
        meta: { role: 'task-orchestrator' },
      },
      {},
      input.signal,
    );
    planningCall = { model: response.model, usage: usageTotalsOf(response.usage, response.model, settings.prices) };
    if (response.stopReason.type === 'refusal')
      throw new PlanError(
        'plan-refused',
        `the model refused to plan this request${response.stopReason.explanation ? `: ${response.stopReason.explanation}` : ''}`,
      );
    toolUse = response.content.find((b): b is LlmToolUseBlock => b.type === 'tool_use' && b.name === 'submit_plan');
  } catch (error) {
    if (error instanceof LlmError)
      throw new PlanError('plan-refused', `planning the request failed: ${error.message}`, [], { cause: error });
    throw error;
  }
  if (!toolUse) throw new PlanError('plan-refused', 'the model did not submit a plan (no submit_plan call)');
  const parsed = planSchema.safeParse(toolUse.input);
  if (!parsed.success)
    throw new PlanError('plan-refused', `the submitted plan is malformed: ${z.prettifyError(parsed.error)}`);
  const draft = parsed.data;

  const markdown = renderTasksMarkdown(draft, input.request);
  const doc = parseTasks(markdown);
  const graph = buildPlanGraph(doc, settings.storyParallelism);
  const id = `${await nextFeatureNumber(input.root)}-${draft.slug}`;
  const dir = join(input.root, 'specs', id);
  const tasks = plannedTasks(
    doc,
    graph,
    'fallback',
    () => false,
    (t) => t.isTest || doc.phases[t.phaseIndex ?? -1]?.title === 'Testing',
  );
  const widest = Math.max(
    1,
    ...previewSchedule(doc, graph, new Set(), Number.MAX_SAFE_INTEGER).map((s) => s.taskKeys.length),
  );
  const critical = graph.criticalPath();
  const strategy = chooseStrategy({
    taskCount: tasks.length,
    fileCount: new Set(tasks.flatMap((t) => t.files)).size,
    widestWave: widest,
    criticalPathTasks: critical.length,
    settings,
    tierOf,
  });
  strategy.why.unshift(`The planner judged it ${draft.complexity}: ${draft.rationale}`);
  return {
    mode: 'fallback',
    root: input.root,
    feature: {
      id,
      dir,
      tasksPath: join(dir, 'tasks.md'),
      rule: 'fallback plan',
      detail: 'no spec-kit project: planned from the request',
    },
    draftTasksMarkdown: markdown,
    phases: doc.phases.map((p) => ({ index: p.index, title: p.title, taskKeys: [...p.taskKeys] })),
    tasks,
    schedule: previewSchedule(doc, graph, new Set(), strategy.maxWorkers),
    storyParallelism: storyParallelismOf(graph.graph),
    criticalPath: critical,
    strategy,
    forecast: forecastCost({
      tasks: tasks.map((t) => ({ role: t.role, model: strategy.modelByRole[t.role], files: t.files.length })),
      sharedContextChars: markdown.length,
      validation: undefined,
      prices: settings.prices,
    }),
    commands: commandViews(definitions.commands, tasks, settings.validate),
    checklists: [],
    hooks: [],
    diagnostics: definitions.diagnostics.map((d) => ({
      severity: d.severity,
      message: `${d.message} (the built-in definition is used)`,
      path: d.path,
    })),
    settings: { ...settings, maxWorkers: strategy.maxWorkers },
    ...(planningCall ? { planningCall } : {}),
  };
}

/** A call's usage priced at its model's list price, as the journal and the faces count it. */
function usageTotalsOf(usage: LlmUsage, model: string, prices: PriceTable | undefined): UsageTotals {
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheCreationInputTokens: usage.cacheCreationInputTokens,
    cacheReadInputTokens: usage.cacheReadInputTokens,
    costUsd: costUsd(usage, priceFor(model, prices)),
    estimated: usage.estimated,
  };
}

/** Shows the drafted plan for approval, then saves it as tasks.md; nothing runs without the yes. */
export async function approveAndSaveFallbackPlan(
  plan: RunPlan,
  deps: { confirm: Confirm; signal: AbortSignal; events: RunEvents },
): Promise<{ kind: 'saved' } | { kind: 'refused'; message: string }> {
  if (plan.draftTasksMarkdown === undefined) return { kind: 'saved' };
  const ok = await deps.confirm(
    {
      kind: 'plan',
      title: `Run this plan (${countOf(plan.tasks.length, 'task')} in ${countOf(plan.phases.length, 'phase')})? It is saved as ${plan.feature.id}/tasks.md.`,
      detail: `${plan.strategy.why.join('\n')}\n\n${plan.draftTasksMarkdown}`,
      required: true,
    },
    deps.signal,
  );
  if (!ok) return { kind: 'refused', message: 'The plan was not approved; nothing ran and nothing was saved.' };
  await mkdir(plan.feature.dir, { recursive: true });
  await writeFileAtomic(plan.feature.tasksPath, plan.draftTasksMarkdown);
  deps.events.log('info', `saved the plan as ${plan.feature.tasksPath}`);
  return { kind: 'saved' };
}
