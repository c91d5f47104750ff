/**
 * The task-orchestrator in spec-kit mode: find the feature (and say which rule chose it), read its tasks,
 * build the graph, give each task a role and a reason, preview the schedule, judge the strategy, forecast the
 * cost, and read the checklists gate and the implement hooks. No model is called: this is the dry run.
 */
import { dirname, relative, sep } from 'node:path';
import { readChecklistGate } from '../../speckit/checklists';
import { readConstitution } from '../../speckit/constitution';
import { readExtensionsConfig } from '../../speckit/extensions-config';
import type { Feature } from '../../speckit/feature-documents';
import { selectFeature } from '../../speckit/feature-selection';
import { discoverProjects, type SpecKitProject } from '../../speckit/project-discovery';
import { readTextFile } from '../../speckit/read-text-file';
import { withTaskPathsPlaced } from '../../speckit/task-path-resolution';
import { parseTasks } from '../../speckit/tasks-parser';
import type { Task, TasksDocument } from '../../speckit/tasks-model';
import { whyDocumentHasNoTasks } from '../../speckit/why-no-tasks';
import { chooseRole } from '../scheduler/role-choice';
import { commandViews, taskCommands } from '../scheduler/command-choice';
import type { EngineSettings, HookView, PlanDiagnostic, PlannedTask, RunPlan, ScheduleStep } from '../facade-types';
import { forecastCost } from './forecast';
import { builtInAgents } from '../../agents/definitions/built-in-agents';
import { loadDefinitions } from '../../agents/definitions/load-definitions';
import type { TaskGraph } from '../../graph/task-graph';
import { buildPlanGraph, type PlanGraph } from './plan-graph';
import { chooseStrategy } from './strategy';
import type { ModelTier } from '../../agents/definitions/agent-definition';
import type { WorkerRole } from '../../../protocol/engine-events';

export type PlanErrorKind = 'no-project' | 'not-found' | 'ambiguous' | 'no-tasks' | 'unreadable' | 'bad-request';

/** Bad input for a plan: the faces show `message` as one line (the CLI exits 2). */
export class PlanError extends Error {
  constructor(
    readonly kind: PlanErrorKind,
    message: string,
    readonly candidates: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PlanError';
  }
}

export interface FeatureTexts {
  constitution?: string;
  spec?: string;
  plan?: string;
}

/** Reads the documents workers get as context. Missing ones are simply absent. */
export async function readFeatureTexts(feature: Feature, signal: AbortSignal): Promise<FeatureTexts> {
  const texts: FeatureTexts = {};
  const constitution = await readConstitution(feature.projectRoot, signal);
  if (constitution.kind === 'present') texts.constitution = constitution.text;
  for (const [key, path] of [
    ['spec', feature.documents.spec],
    ['plan', feature.documents.plan],
  ] as const) {
    if (path === undefined) continue;
    const read = await readTextFile(path, signal);
    if (read.kind === 'ok') texts[key] = read.text;
  }
  return texts;
}

export type ProjectLookup = { kind: 'project'; projects: readonly SpecKitProject[] } | { kind: 'none' };

export async function findProjects(root: string, signal: AbortSignal): Promise<ProjectLookup> {
  const discovery = await discoverProjects([root], { signal });
  const withFeatures = discovery.projects.filter((p) => p.features.length > 0);
  return withFeatures.length > 0 ? { kind: 'project', projects: withFeatures } : { kind: 'none' };
}

export async function chooseFeatureOrThrow(
  projects: readonly SpecKitProject[],
  argument: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  signal: AbortSignal,
) {
  const selection = await selectFeature(
    projects,
    { ...(argument !== undefined ? { argument } : {}), env, cwd },
    signal,
  );
  switch (selection.kind) {
    case 'selected':
      return selection;
    case 'ambiguous':
      throw new PlanError(
        'ambiguous',
        `${selection.reason}; choose one with --feature: ${selection.candidates.map((c) => c.id).join(', ')}`,
        selection.candidates.map((c) => c.id),
      );
    case 'not-found':
      throw new PlanError(
        'not-found',
        selection.reason,
        selection.candidates.map((c) => c.id),
      );
    default: {
      const never: never = selection;
      throw new Error(`unexpected selection ${JSON.stringify(never)}`);
    }
  }
}

/** The tier a role's built-in definition asks for. */
export function defaultTierOf(role: WorkerRole): ModelTier {
  return builtInAgents.find((a) => a.name === role)?.modelTier ?? 'balanced';
}

/**
 * Each task with its role, why, and the slash commands its worker is given; `excluded` tasks (not asked for)
 * are skipped, ticked ones done, except the ticked ones asked to be done again (`rerun`), which are planned as
 * open work.
 */
export function plannedTasks(
  doc: TasksDocument,
  graph: PlanGraph,
  mode: RunPlan['mode'],
  excluded: (task: Task) => boolean = () => false,
  isTest: (task: Task) => boolean = (t) => t.isTest,
  rerun: (task: Task) => boolean = () => false,
): PlannedTask[] {
  return doc.tasks.map((t) => {
    const test = isTest(t);
    const phaseTitle = t.phaseIndex !== undefined ? doc.phases[t.phaseIndex]?.title : undefined;
    const choice = chooseRole({
      description: t.description,
      files: t.files,
      isTest: test,
      ...(t.subsection ? { subsectionKind: t.subsection.kind } : {}),
      ...(phaseTitle !== undefined ? { phaseTitle } : {}),
    });
    const out = excluded(t);
    const again = t.done && !out && rerun(t);
    return {
      key: t.key,
      id: t.id,
      description: t.description,
      phaseIndex: t.phaseIndex ?? 0,
      line: t.line + 1,
      files: [...new Set(t.files.map((f) => graph.placedPath(f)))],
      dependsOn: [...graph.dependenciesOf(t.key)],
      parallel: t.parallel,
      status: again ? 'pending' : t.done ? 'done' : out ? 'skipped' : 'pending',
      role: choice.role,
      roleReason: choice.reason,
      commands: taskCommands(choice.role, t, mode),
      isTest: test,
      alreadyDone: !again && (t.done || out),
      ...(again ? { rerun: true } : {}),
    };
  });
}

/** Simulates the scheduler with unit-length tasks: the waves a dry run shows. */
export function previewSchedule(
  doc: TasksDocument,
  graph: PlanGraph,
  done: ReadonlySet<string>,
  maxWorkers: number,
): ScheduleStep[] {
  const status = new Map<string, 'pending' | 'done'>(
    doc.tasks.map((t) => [t.key, done.has(t.key) ? 'done' : 'pending']),
  );
  const steps: ScheduleStep[] = [];
  for (;;) {
    const ready = graph
      .ready((k) => status.get(k) ?? 'done')
      .map((t) => t.key)
      .sort((a, b) => graph.remaining(b) - graph.remaining(a));
    const wave: string[] = [];
    const files = new Set<string>();
    for (const key of ready) {
      if (wave.length >= maxWorkers) break;
      const own = graph.lockedFiles(key);
      if (own.some((f) => files.has(f))) continue;
      own.forEach((f) => files.add(f));
      wave.push(key);
    }
    if (wave.length === 0) break;
    wave.forEach((k) => status.set(k, 'done'));
    const phases = wave.flatMap((key) => graph.graph.task(key)?.phaseIndex ?? []);
    steps.push({ phaseIndices: [...new Set(phases)].sort((a, b) => a - b), taskKeys: wave, parallel: wave.length > 1 });
  }
  return steps;
}

/** What the plan says of story parallelism: the graph's decision, without its phase lists. */
export function storyParallelismOf(graph: TaskGraph): RunPlan['storyParallelism'] {
  const { setting, mode, reason } = graph.storyParallelism;
  return { setting, mode, reason };
}

export interface SpecKitPlanInput {
  root: string;
  feature: Feature;
  rule: string;
  detail?: string;
  settings: EngineSettings;
  onlyTasks?: readonly string[];
  /** Ticked tasks to do again (see `PlanOptions.rerunTasks`). */
  rerunTasks?: readonly string[];
  signal: AbortSignal;
  mode?: RunPlan['mode'];
  /** The user's focus for the run (`--request` in spec-kit mode). */
  focus?: string;
}

export async function planSpecKitFeature(
  input: SpecKitPlanInput,
): Promise<{ plan: RunPlan; doc: TasksDocument; graph: PlanGraph; texts: FeatureTexts }> {
  const { feature, settings, signal } = input;
  if (feature.tasksPath === undefined)
    throw new PlanError('no-tasks', `feature ${feature.id} has no tasks.md yet (run /tasks first)`);
  const read = await readTextFile(feature.tasksPath, signal);
  if (read.kind !== 'ok')
    throw new PlanError(
      'unreadable',
      `cannot read ${feature.tasksPath}: ${read.kind === 'missing' ? 'missing' : read.reason}`,
    );
  const doc = await withTaskPathsPlaced(parseTasks(read.text), {
    projectRoot: feature.projectRoot,
    tasksPath: feature.tasksPath,
  });
  if (doc.tasks.length === 0)
    throw new PlanError('no-tasks', `${feature.tasksPath} has no tasks${whyDocumentHasNoTasks(doc)}`);
  const graph = buildPlanGraph(doc, {
    storyParallelism: settings.storyParallelism,
    tasksFolder: relative(feature.projectRoot, dirname(feature.tasksPath)).split(sep).join('/'),
  });
  const texts = await readFeatureTexts(feature, signal);

  const only = input.onlyTasks && input.onlyTasks.length > 0 ? new Set(input.onlyTasks) : undefined;
  const diagnostics: PlanDiagnostic[] = doc.diagnostics.map((d) => ({
    severity: d.severity,
    message: `${d.message} [${d.code}]`,
    path: feature.tasksPath ?? '',
    line: d.range.start.line + 1,
  }));
  const rerun = new Set(input.rerunTasks ?? []);
  const named = [...(only ?? []), ...rerun];
  const unknown = named.filter((id) => !doc.tasks.some((t) => t.id === id || t.key === id));
  if (unknown.length > 0)
    throw new PlanError('bad-request', `no such task in ${feature.id}: ${[...new Set(unknown)].join(', ')}`);

  const mode = input.mode ?? 'spec-kit';
  const tasks = plannedTasks(
    doc,
    graph,
    mode,
    (t) => only !== undefined && !only.has(t.id) && !only.has(t.key),
    undefined,
    (t) => rerun.has(t.id) || rerun.has(t.key),
  );
  const done = new Set(tasks.filter((t) => t.alreadyDone).map((t) => t.key));
  const pending = tasks.filter((t) => !t.alreadyDone);

  const fullWidth = previewSchedule(doc, graph, done, Number.MAX_SAFE_INTEGER);
  const widestWave = Math.max(0, ...fullWidth.map((s) => s.taskKeys.length));
  const critical = graph.criticalPath((k) => done.has(k));
  const files = new Set(pending.flatMap((t) => t.files));
  const definitions = await loadDefinitions(feature.projectRoot, signal);
  for (const d of definitions.diagnostics)
    diagnostics.push({ severity: d.severity, message: `${d.message} (the built-in definition is used)`, path: d.path });
  const tierOf = (role: WorkerRole): ModelTier => definitions.agents.get(role)?.modelTier ?? defaultTierOf(role);
  const strategy = chooseStrategy({
    taskCount: pending.length,
    fileCount: files.size,
    widestWave,
    criticalPathTasks: critical.length,
    settings,
    tierOf,
    ...(input.focus !== undefined ? { focus: input.focus } : {}),
  });
  const schedule = previewSchedule(doc, graph, done, strategy.maxWorkers);

  const specLength = (texts.constitution?.length ?? 0) + (texts.spec?.length ?? 0) + (texts.plan?.length ?? 0);
  const forecast = forecastCost({
    tasks: pending.map((t) => ({ role: t.role, model: strategy.modelByRole[t.role], files: t.files.length })),
    sharedContextChars: specLength,
    validation: settings.validate ? { reviewerModel: strategy.modelByRole.reviewer, files: files.size } : undefined,
    prices: settings.prices,
  });

  const gate = await readChecklistGate(feature, signal);
  const hooks = await readHookViews(feature, diagnostics, signal);

  const plan: RunPlan = {
    mode,
    root: input.root,
    feature: {
      id: feature.id,
      dir: feature.dir,
      tasksPath: feature.tasksPath,
      rule: input.rule,
      ...(input.detail !== undefined ? { detail: input.detail } : {}),
    },
    phases: doc.phases.map((p) => ({ index: p.index, title: p.title, taskKeys: [...p.taskKeys] })),
    tasks,
    schedule,
    storyParallelism: storyParallelismOf(graph.graph),
    criticalPath: critical,
    strategy,
    forecast,
    commands: commandViews(definitions.commands, tasks, settings.validate),
    checklists: gate.checklists.map((c) => ({
      file: relative(feature.projectRoot, c.file) || dirname(c.file),
      total: c.total,
      checked: c.checked,
      unchecked: c.unchecked,
    })),
    hooks,
    diagnostics,
    settings: { ...settings, maxWorkers: strategy.maxWorkers },
    ...(input.focus !== undefined ? { focus: input.focus } : {}),
  };
  return { plan, doc, graph, texts };
}

/** The enabled before/after_implement hooks of `.specify/extensions.yml`; its problems join `diagnostics`. */
async function readHookViews(
  feature: Feature,
  diagnostics: PlanDiagnostic[],
  signal: AbortSignal,
): Promise<HookView[]> {
  const hooks: HookView[] = [];
  const extensionsPath = `${feature.projectRoot}/.specify/extensions.yml`;
  const extensions = await readExtensionsConfig(extensionsPath, signal);
  if (extensions.kind === 'read') {
    for (const event of ['before_implement', 'after_implement'] as const) {
      for (const hook of extensions.config.hooks[event]) {
        if (!hook.enabled) continue;
        hooks.push({
          event,
          command: hook.command,
          optional: hook.optional,
          ...(hook.description !== undefined ? { description: hook.description } : {}),
        });
      }
    }
    for (const d of extensions.config.diagnostics)
      diagnostics.push({
        severity: d.severity === 'info' ? 'information' : d.severity,
        message: d.message,
        path: d.file,
        ...(d.line !== undefined ? { line: d.line } : {}),
      });
  }
  return hooks;
}
