/**
 * The engine behind the facade: plans (the dry run), starts and resumes runs, finds interrupted ones and rolls
 * runs back. Runs live in the project's state folder (`.specify/orchestra/runs/<runId>/`), so the CLI and the
 * extension resume and roll back each other's runs.
 */
import { relative, resolve } from 'node:path';
import { silentLogger } from '../../ports/logger';
import { readTextFile } from '../../speckit/read-text-file';
import { parseTasks } from '../../speckit/tasks-parser';
import { matchTasks } from '../journal/task-matcher';
import { RunStore, newRunId, type RunFolder, type StoredRun } from '../journal/run-store';
import { stateDirFor } from '../journal/state-dir';
import { rollbackRun } from '../journal/rollback';
import { sha256 } from '../journal/hash';
import { countTasks, evidencedTasks, isInterrupted, liveEdits, type RunState } from '../journal/fold';
import { taskRefOf, writeTaskDone } from '../../speckit/tasks-writer';
import { chooseFeatureOrThrow, findProjects, planSpecKitFeature, PlanError } from '../orchestrators/spec-kit-planner';
import { approveAndSaveFallbackPlan, draftFallbackPlan } from '../orchestrators/fallback-planner';
import { focusOf } from '../orchestrators/strategy';
import { meteredForPlanning } from './run-usage';
import { defaultEngineSettings } from './default-settings';
import type {
  Engine,
  EnginePorts,
  EngineSettings,
  InterruptedRun,
  PlanOptions,
  RecordedRun,
  ResumeOptions,
  RollbackOptions,
  RollbackResult,
  Run,
  RunPlan,
  StartInput,
} from '../facade-types';
import { systemWallClock } from '../../ports/clock';
import { RunSession, type PreparedRun, type ResumeState, type SessionSetup } from './run-session';
import type { RunEvents } from '../events/run-events';

function isPlan(input: StartInput): input is RunPlan {
  return 'mode' in input && 'schedule' in input;
}

interface SpecKitPreparation {
  root: string;
  featureArg: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  settings: EngineSettings;
  onlyTasks: readonly string[] | undefined;
  /** Ticked tasks to do again. */
  rerunTasks?: readonly string[] | undefined;
  signal: AbortSignal;
  mode?: RunPlan['mode'];
  focus: string | undefined;
}

async function prepareSpecKit(preparation: SpecKitPreparation): Promise<PreparedRun> {
  const { root, featureArg, env, settings, onlyTasks, rerunTasks, signal, mode = 'spec-kit', focus } = preparation;
  const projects = await findProjects(root, signal);
  if (projects.kind === 'none')
    throw new PlanError('no-project', `no spec-kit project with features under ${root}; pass a request to plan one`);
  const selection = await chooseFeatureOrThrow(projects.projects, featureArg, env, root, signal);
  const { plan, doc, graph, texts } = await planSpecKitFeature({
    root: resolve(root),
    feature: selection.feature,
    rule: selection.rule,
    detail: selection.detail,
    settings,
    ...(onlyTasks ? { onlyTasks } : {}),
    ...(rerunTasks && rerunTasks.length > 0 ? { rerunTasks } : {}),
    signal,
    mode,
    ...(focus !== undefined ? { focus } : {}),
  });
  return { plan, feature: selection.feature, doc, graph, texts };
}

export function createEngine(ports: EnginePorts): Engine {
  const full = { ...ports, logger: ports.logger ?? silentLogger, clock: ports.clock ?? systemWallClock };

  const plan = async (options: PlanOptions): Promise<RunPlan> => {
    const signal = options.signal ?? new AbortController().signal;
    const settings = defaultEngineSettings(options.settings);
    const root = resolve(options.root);
    const projects = await findProjects(root, signal);
    if (projects.kind === 'none') {
      if (options.request === undefined || options.request.trim() === '') {
        throw new PlanError(
          'no-project',
          `no spec-kit project under ${root}: pass a request (--request "…") to plan the work in fallback mode`,
        );
      }
      return draftFallbackPlan({
        root,
        request: options.request,
        provider: meteredForPlanning(full.provider, settings),
        workspace: full.workspace(root),
        settings,
        signal,
        now: () => full.clock.now(),
      });
    }
    const prepared = await prepareSpecKit({
      root,
      featureArg: options.feature,
      env: options.env ?? {},
      settings,
      onlyTasks: options.onlyTasks,
      rerunTasks: options.rerunTasks,
      signal,
      focus: focusOf(options.request),
    });
    return prepared.plan;
  };

  const start = (input: StartInput, resumeWith?: { runId: string; resume: ResumeState }): Run => {
    const runId = resumeWith?.runId ?? newRunId(full.clock.now());
    const initial: RunPlan | undefined = isPlan(input) ? input : undefined;
    const root = resolve(initial?.root ?? (input as PlanOptions).root);
    const store = new RunStore(stateDirFor(root));
    const setup: SessionSetup = {
      ports: full,
      runId,
      plan: initial ?? placeholderPlan(root, defaultEngineSettings((input as PlanOptions).settings)),
      prepare: async (signal: AbortSignal, events: RunEvents) => {
        let runPlan = initial;
        if (!runPlan) runPlan = await plan({ ...(input as PlanOptions), signal });
        if (runPlan.mode === 'fallback' && runPlan.draftTasksMarkdown !== undefined) {
          const saved = await approveAndSaveFallbackPlan(runPlan, { confirm: full.confirm, signal, events });
          if (saved.kind === 'refused')
            return {
              stop: 'cancelled' as const,
              message: saved.message,
              ...(runPlan.planningCall ? { usage: runPlan.planningCall.usage } : {}),
            };
        }
        const featureArg = runPlan.feature.dir;
        const prepared = await prepareSpecKit({
          root,
          featureArg,
          env: {},
          settings: runPlan.settings,
          onlyTasks: onlyTasksOf(runPlan),
          rerunTasks: runPlan.tasks.filter((t) => t.rerun).map((t) => t.id),
          signal,
          mode: runPlan.mode,
          focus: runPlan.focus,
        });
        if (runPlan.mode === 'fallback') {
          prepared.plan = {
            ...prepared.plan,
            strategy: runPlan.strategy,
            forecast: runPlan.forecast,
            ...(runPlan.planningCall ? { planningCall: runPlan.planningCall } : {}),
          };
        }
        return prepared;
      },
      openJournal: () => (resumeWith ? store.open(runId) : store.create(runId)),
      ...(resumeWith ? { resume: resumeWith.resume } : {}),
    };
    return new RunSession(setup);
  };

  return {
    plan,
    start: (input) => start(input),

    async findInterruptedRuns(root: string): Promise<InterruptedRun[]> {
      const store = new RunStore(stateDirFor(resolve(root)));
      return (await store.findInterrupted()).map((run) => ({
        runId: run.runId,
        root: resolve(root),
        featureId: run.state.featureId ?? '',
        tasksPath: run.state.tasksPath ?? '',
        startedAt: run.state.startedAt ?? '',
        lastRecordAt: run.state.lastRecordAt ?? '',
        tasksDone: countTasks(run.state).done,
        ...(run.state.finished ? { stoppedBy: run.state.finished.outcome } : {}),
        tasksTotal: run.state.tasks.length,
      }));
    },

    async listRuns(root: string): Promise<RecordedRun[]> {
      const absolute = resolve(root);
      const runs = await new RunStore(stateDirFor(absolute)).list();
      // A folder whose journal never got its first record has nothing to show, resume or roll back.
      return runs
        .filter((run) => run.state.runId !== undefined)
        .reverse()
        .map((run) => recordedRun(absolute, run));
    },

    async resume(options: ResumeOptions): Promise<Run> {
      const root = resolve(options.root);
      const store = new RunStore(stateDirFor(root));
      const stored = await store.read(options.runId);
      if (!stored) throw new PlanError('not-found', `no run ${options.runId} in ${stateDirFor(root)}`);
      if (stored.state.finished && !isInterrupted(stored.state))
        throw new PlanError(
          'bad-request',
          `run ${options.runId} finished (${stored.state.finished.outcome}); nothing to resume`,
        );
      const state = stored.state;
      const tasksPath = resolve(root, state.tasksPath ?? '');
      const read = await readTextFile(tasksPath, new AbortController().signal);
      if (read.kind !== 'ok')
        throw new PlanError('unreadable', `cannot read ${tasksPath} to resume run ${options.runId}`);
      const doc = parseTasks(read.text);
      const current = doc.tasks.map((t) => ({ key: t.key, id: t.id, text: t.description }));
      const doneKeys = new Set<string>();
      // Ticked by this run, its end not recorded (a kill between the two): done by the run, not before it.
      const tickedByRun = evidencedTasks(state);
      const tickedNow = new Set(doc.tasks.filter((t) => t.done).map((t) => t.key));
      const journalKeyOf = new Map<string, string>();
      // Ticked tasks the run was asked to do again and has not finished: still to do, tick or no tick.
      const rerunTasks: string[] = [];
      const skippedKeys = new Map<string, string>();
      // A run started with a selection (`--task T001`) resumes with the same one: the tasks it left out stay out.
      const selected: string[] = [];
      for (const match of matchTasks(state.tasks, current)) {
        if ('journal' in match && 'current' in match && !state.excluded.has(match.journal.key))
          selected.push(match.current.id);
        switch (match.kind) {
          case 'same':
          case 'renumbered':
            journalKeyOf.set(match.journal.key, match.current.key);
            if (
              state.taskStatus.get(match.journal.key) === 'done' ||
              (tickedByRun.has(match.journal.key) && tickedNow.has(match.current.key))
            )
              doneKeys.add(match.current.key);
            else if (state.rerun.has(match.journal.key)) rerunTasks.push(match.current.id);
            if (match.kind === 'renumbered')
              full.logger.info(`resume: ${match.journal.id} is now ${match.current.id} (same text)`);
            break;
          case 'reworded': {
            const wasDone = state.taskStatus.get(match.journal.key) === 'done';
            const edits = liveEdits(state, match.journal.key).length;
            if (wasDone || edits > 0) {
              skippedKeys.set(
                match.current.key,
                `reworded since the run ${wasDone ? 'finished it' : 'started it'} ("${match.journal.text}" → "${match.current.text}"): not redone; check it and tick it yourself, or run it on its own`,
              );
            }
            break;
          }
          case 'missing':
            if (state.taskStatus.get(match.journal.key) === 'done')
              full.logger.info(`resume: ${match.journal.id} (done) is no longer in tasks.md`);
            break;
          case 'new':
            break;
          default: {
            const never: never = match;
            throw new Error(`unexpected match ${JSON.stringify(never)}`);
          }
        }
      }
      if (state.tasksHash !== undefined && state.tasksHash !== sha256(read.text))
        full.logger.info('resume: tasks.md changed since the run was planned; tasks were matched by id and text');
      if (state.excluded.size > 0 && selected.length === 0)
        throw new PlanError(
          'bad-request',
          `run ${options.runId} was of selected tasks, and none of them is in tasks.md as it was; nothing to resume`,
        );
      const settings = defaultEngineSettings(options.settings);
      const prepared = await prepareSpecKit({
        root,
        featureArg: relative(root, resolve(tasksPath, '..')) || '.',
        env: {},
        settings,
        onlyTasks: state.excluded.size > 0 ? selected : undefined,
        signal: new AbortController().signal,
        focus: state.focus,
        rerunTasks,
      });
      return start(prepared.plan, { runId: options.runId, resume: { state, doneKeys, journalKeyOf, skippedKeys } });
    },

    async rollback(options: RollbackOptions): Promise<RollbackResult> {
      const root = resolve(options.root);
      const signal = options.signal ?? new AbortController().signal;
      const store = new RunStore(stateDirFor(root));
      const stored = await store.read(options.runId);
      if (!stored) throw new PlanError('not-found', `no run ${options.runId} in ${stateDirFor(root)}`);
      const workspace = full.workspace(root);
      const handle = await store.open(options.runId);
      try {
        const deps = { workspace, journal: handle, now: () => full.clock.now(), signal };
        const request = { ...(options.taskKey !== undefined ? { taskKey: options.taskKey } : {}) };
        let report = await rollbackRun(stored.state, { ...request, force: options.force ?? false }, deps);
        const restored = [...report.restored];
        const deleted = [...report.deleted];
        const agreed: string[] = [];
        if (!options.force) {
          for (const conflict of report.conflicts) {
            const ok = await full.confirm(
              {
                kind: 'rollback-conflict',
                title: `${conflict.path} changed after the run wrote it. Overwrite it with the content from before the run?`,
                detail: `now:\n${conflict.current ?? '(deleted)'}\n\nafter rollback:\n${conflict.restore ?? '(deleted)'}`,
                required: false,
              },
              signal,
            );
            if (ok) agreed.push(conflict.path);
          }
          if (agreed.length > 0) {
            const again = await store.read(options.runId);
            if (again) {
              report = await rollbackRun(again.state, { ...request, force: agreed }, deps);
              restored.push(...report.restored);
              deleted.push(...report.deleted);
            }
          }
        }
        // Per task: a task whose edits all came back is unticked; one with an edit left in place keeps its tick.
        const after = (await store.read(options.runId))?.state ?? stored.state;
        const kept = new Set(liveEdits(after).map((e) => e.taskKey));
        const unticked = await untickRolledBack(root, stored.state, options.taskKey, kept, signal);
        await voidUndoneEvidence(store, handle, options, unticked, () => full.clock.now().toISOString());
        return {
          restored,
          deleted,
          unticked: unticked.map((t) => t.id),
          skipped: [
            ...report.conflicts
              .filter((c) => !agreed.includes(c.path) || options.force)
              .map((c) => ({ path: c.path, reason: 'changed after the run; kept as it is' })),
            ...report.unrestorable.map((u) => ({ path: u.path, reason: u.reason })),
          ],
        };
      } finally {
        await handle.close();
      }
    },
  };

  function onlyTasksOf(runPlan: RunPlan): string[] | undefined {
    const excluded = runPlan.tasks.filter((t) => t.status === 'skipped');
    if (excluded.length === 0) return undefined;
    return runPlan.tasks.filter((t) => t.status !== 'skipped').map((t) => t.id);
  }
}

function recordedRun(root: string, run: StoredRun): RecordedRun {
  const { state } = run;
  const tasks = countTasks(state);
  const end =
    state.finished ??
    (state.cancelled
      ? { outcome: 'cancelled' as const, message: state.cancelled.reason, at: state.cancelled.at }
      : undefined);
  return {
    runId: run.runId,
    root,
    featureId: state.featureId ?? '',
    tasksPath: state.tasksPath ?? '',
    outcome: end?.outcome ?? 'interrupted',
    message: end?.message ?? '',
    resumable: isInterrupted(state),
    startedAt: state.startedAt ?? '',
    ...(end ? { finishedAt: end.at } : {}),
    lastRecordAt: state.lastRecordAt ?? '',
    tasks,
    usage: state.usage,
  };
}

/**
 * A rollback voids the evidence of the tasks it undid: those it unticked, and those any of whose edits it
 * rolled back (a task whose files came back is no longer proven by its record, even if its tick stays).
 */
async function voidUndoneEvidence(
  store: RunStore,
  journal: { append: RunFolder['append'] },
  options: RollbackOptions,
  unticked: readonly { journalKey: string }[],
  now: () => string,
): Promise<void> {
  const after = await store.read(options.runId);
  if (!after) return;
  const { state } = after;
  const undone = new Set(unticked.map((t) => t.journalKey));
  for (const edit of state.edits) if (edit.rolledBack) undone.add(edit.taskKey);
  const keys = [...new Set(state.evidence.map((e) => e.taskKey))].filter(
    (key) =>
      undone.has(key) && !state.voidedEvidence.has(key) && (options.taskKey === undefined || key === options.taskKey),
  );
  if (keys.length === 0) return;
  await journal.append({
    type: 'evidence-voided',
    at: now(),
    taskKeys: keys,
    reason: options.taskKey === undefined ? `run ${options.runId} was rolled back` : `its edits were rolled back`,
  });
}

/**
 * Sets the ticks the run made back to `[ ]`, matching tasks by id and text, except for the tasks in `kept`:
 * those with an edit still in place (a conflict the user kept, a file that could not be restored).
 */
async function untickRolledBack(
  root: string,
  state: RunState,
  taskKey: string | undefined,
  kept: ReadonlySet<string>,
  signal: AbortSignal,
): Promise<{ id: string; journalKey: string }[]> {
  if (state.tasksPath === undefined) return [];
  const path = resolve(root, state.tasksPath);
  const read = await readTextFile(path, signal);
  if (read.kind !== 'ok') return [];
  const doc = parseTasks(read.text);
  const byKey = new Map(doc.tasks.map((t) => [t.key, t]));
  const unticked: { id: string; journalKey: string }[] = [];
  // A kill between a tick and the task's recorded end leaves a tick of this run without its end: its evidence
  // says whose tick it is.
  const evidenced = evidencedTasks(state);
  for (const match of matchTasks(
    state.tasks,
    doc.tasks.map((t) => ({ key: t.key, id: t.id, text: t.description })),
  )) {
    if (match.kind !== 'same' && match.kind !== 'renumbered') continue;
    if (taskKey !== undefined && match.journal.key !== taskKey) continue;
    const byRun = state.taskStatus.get(match.journal.key) === 'done' || evidenced.has(match.journal.key);
    if (!byRun || kept.has(match.journal.key)) continue;
    // Done again on request: the tick was there before the run, so the rollback leaves it (its evidence is voided).
    if (state.rerun.has(match.journal.key)) continue;
    const task = byKey.get(match.current.key);
    if (!task?.done) continue;
    const result = await writeTaskDone(path, taskRefOf(task), false, signal);
    if (result.ok && result.changed) unticked.push({ id: task.id, journalKey: match.journal.key });
  }
  return unticked;
}

/** What `Run.plan` says before the plan exists (a run started from options plans asynchronously). */
function placeholderPlan(root: string, settings: EngineSettings): RunPlan {
  return {
    mode: 'spec-kit',
    root,
    feature: { id: '', dir: root, tasksPath: '', rule: 'planning' },
    phases: [],
    tasks: [],
    schedule: [],
    storyParallelism: { setting: settings.storyParallelism, mode: 'none', reason: 'not planned yet' },
    criticalPath: { taskKeys: [], length: 0 },
    strategy: {
      complexity: 'small',
      maxWorkers: settings.maxWorkers,
      modelByRole: {} as RunPlan['strategy']['modelByRole'],
      why: [],
    },
    forecast: { low: 0, expected: 0, high: 0, inputTokens: 0, outputTokens: 0, assumptions: [] },
    commands: [],
    checklists: [],
    hooks: [],
    diagnostics: [],
    settings,
  };
}
