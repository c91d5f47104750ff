/**
 * The task-orchestrator in fallback mode (no spec-kit project), as an agent: it explores the repository with
 * the read-only tools (list, read, search) within a budget, then turns the user's request into phases
 * Setup → Core → Testing → Documentation → Review with concrete tasks. The answer is structured: it calls
 * `submit_plan`, whose input schema IS the plan; a malformed plan goes back to it as a tool error, to correct
 * (at most `PLAN_ATTEMPTS` submissions). The plan is shown for approval before anything runs and saved as
 * `specs/NNN-slug/tasks.md` (next free number), so the run is resumable like any other.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../../util/atomic-write';
import type { LlmProvider } from '../../llm/provider';
import { costUsd, priceFor, type PriceTable } from '../../llm/prices';
import {
  addUsageTotals,
  zeroUsageTotals,
  type LlmUsage,
  type UsageTotals,
  type WorkerRole,
} from '../../../protocol/engine-events';
import { countOf } from '../../../protocol/run-wording';
import { loadDefinitions } from '../../agents/definitions/load-definitions';
import { defaultAgentLimits, runAgentLoop } from '../../agents/agent-loop';
import { createToolExecutor, toolsFor } from '../../agents/tools/builtin-tools';
import { defineTool, toolError } from '../../agents/tools/tool';
import type { Workspace } from '../../ports/workspace';
import { toLlmTool } from '../workers/worker-tools';
import { parseTasks } from '../../speckit/tasks-parser';
import { errorCode } from '../../util/fs-errors';
import type { EngineSettings, PlanningCall, RunPlan } from '../facade-types';
import type { ModelTier } from '../../agents/definitions/agent-definition';
import type { Confirm } from '../../ports/consent';
import type { RunEvents } from '../events/run-events';
import { forecastCost } from './forecast';
import { buildPlanGraph } from './plan-graph';
import { defaultTierOf, plannedTasks, previewSchedule, storyParallelismOf } from './spec-kit-planner';
import { chooseStrategy } from './strategy';
import { commandViews } from '../scheduler/command-choice';

export const FALLBACK_PHASES = ['Setup', 'Core', 'Testing', 'Documentation', 'Review'] as const;

/** How many submit_plan calls may fail validation before planning gives up. */
export const PLAN_ATTEMPTS = 3;

/** Model calls the planner may make, exploring included. */
const PLANNER_TURNS = 16;

/**
 * Planning did not produce a plan: the model never submitted a valid one, refused, or its calls failed. Not the
 * user's bad input: the faces report the reason and fail (the CLI exits 1, not 2).
 */
export class PlanningFailedError extends Error {
  constructor(
    message: string,
    readonly planningCall?: PlanningCall,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PlanningFailedError';
  }
}

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
const ANSWER_PROTOCOL = `# This time: plan a request
There is no spec-kit project: turn the user's request into an implementation plan.
First look at the repository with list_directory, search_text and read_file: its layout, language, frameworks, test setup and the code the request touches. Keep it short (a few calls); do not read everything. Then submit the plan by calling submit_plan. If submit_plan answers with an error, correct the plan and call it again; it accepts a plan at most ${PLAN_ATTEMPTS} times wrong.
Phases, in this order, leaving out ones that have nothing to do: ${FALLBACK_PHASES.join(' → ')}.
Each task is one small, concrete change that names the files it creates or changes (workspace-relative), files that exist or that the plan creates, in the project's own layout. Testing tasks write tests; Documentation tasks write Markdown; Review tasks check the work.
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
  /** The workspace the planner explores (read-only: it lists, reads and searches, never writes). */
  workspace: Workspace;
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
  const planned = await explorePlanAndSubmit(input, model, orchestrator?.prompt, orchestrator?.tokenBudget);
  const { draft, planningCall } = planned;

  const markdown = renderTasksMarkdown(draft, input.request);
  const doc = parseTasks(markdown);
  const graph = buildPlanGraph(doc, { storyParallelism: settings.storyParallelism });
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
    focus: input.request.trim(),
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
    focus: input.request.trim(),
    ...(planningCall ? { planningCall } : {}),
  };
}

/**
 * The task-orchestrator's agent loop: read-only tools to explore, then submit_plan. A malformed plan is a tool
 * error the model corrects; after `PLAN_ATTEMPTS` malformed ones, or when the loop fails (refusal, limits, a
 * failed call), planning fails with the reason. Every call's usage is summed into the planning call.
 */
async function explorePlanAndSubmit(
  input: FallbackInput,
  model: string,
  rolePrompt: string | undefined,
  roleTokenBudget: number | undefined,
): Promise<{ draft: DraftPlan; planningCall: PlanningCall }> {
  const { settings } = input;
  let usage = zeroUsageTotals();
  let usedModel = model;
  let submitted: DraftPlan | undefined;
  let malformed = 0;
  const submitPlan = defineTool({
    name: 'submit_plan',
    description:
      'Submit the implementation plan. Its input is the whole plan; an invalid plan comes back as an error to correct.',
    inputSchema: z.unknown(),
    async run(plan) {
      const parsed = planSchema.safeParse(plan);
      if (parsed.success) {
        submitted = parsed.data;
        return {
          content: 'Plan received.',
          isError: false,
          completion: { summary: 'plan submitted', filesTouched: [] },
        };
      }
      malformed++;
      const problems = z.prettifyError(parsed.error);
      if (malformed >= PLAN_ATTEMPTS)
        return {
          ...toolError(`The plan is malformed again:\n${problems}`),
          stop: `the model submitted a malformed plan ${malformed} times; the last one: ${problems.replace(/\s*\n\s*/g, ' ')}`,
        };
      return toolError(
        `The plan is malformed (attempt ${malformed} of ${PLAN_ATTEMPTS}):\n${problems}\nCorrect these and call submit_plan again with the whole plan.`,
      );
    },
  });
  const tools = [...toolsFor(['list_directory', 'read_file', 'search_text']), submitPlan];
  const executor = createToolExecutor(tools, {
    workspace: input.workspace,
    taskKey: 'planning',
    workerId: 'task-orchestrator',
    role: 'task-orchestrator',
    writeScope: { kind: 'nowhere' },
    commandNames: [],
    proposeEdit: async (edit) => ({ kind: 'refused', path: edit.path, reason: 'the planner does not write files' }),
    runCommand: async (name) => ({ kind: 'denied', name, reason: 'the planner runs no commands' }),
  });
  const { $schema: _ignored, ...schema } = z.toJSONSchema(planSchema) as Record<string, unknown>;
  const definitions = tools.map((t) =>
    t.name === 'submit_plan'
      ? { name: t.name, description: t.description, inputSchema: { ...schema, type: 'object' as const } }
      : toLlmTool(t),
  );
  const outcome = await runAgentLoop({
    provider: input.provider,
    request: {
      model,
      maxTokens: 8_000,
      system: [...(rolePrompt !== undefined ? [{ text: rolePrompt }] : []), { text: ANSWER_PROTOCOL }],
      tools: definitions,
      meta: { role: 'task-orchestrator' },
    },
    initialMessage: `Request:\n${input.request}`,
    tools: executor,
    limits: {
      ...defaultAgentLimits,
      maxTurns: PLANNER_TURNS,
      tokenBudget: Math.min(settings.workerTokenBudget, roleTokenBudget ?? 150_000),
    },
    hooks: {
      onUsage: (delta, callModel) => {
        usedModel = callModel;
        usage = addUsageTotals(usage, usageTotalsOf(delta, callModel, settings.prices));
      },
    },
    nudge:
      'You ended your turn without submitting a plan. Call submit_plan with the plan now (explore first if you must).',
    signal: input.signal,
  });
  const planningCall: PlanningCall = { model: usedModel, usage };
  switch (outcome.kind) {
    case 'completed':
      if (!submitted) throw new PlanningFailedError('the planner completed without a plan', planningCall);
      return { draft: submitted, planningCall };
    case 'cancelled':
      throw new PlanningFailedError('planning was cancelled', planningCall);
    case 'failed':
    case 'budget-exceeded':
      throw new PlanningFailedError(`planning the request failed: ${outcome.reason}`, planningCall);
    default: {
      const never: never = outcome;
      throw new Error(`unexpected outcome ${JSON.stringify(never)}`);
    }
  }
}

/** A call's usage priced at its model's list price, as the journal and the faces count it. */
function usageTotalsOf(usage: LlmUsage, model: string, prices: PriceTable | undefined): UsageTotals {
  return { ...usage, costUsd: costUsd(usage, priceFor(model, prices)) };
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
