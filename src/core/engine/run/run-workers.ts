/**
 * What the run's workers get: a profile per role (from the agent definitions and the settings), their tools
 * over the gate and the command service, the feature context every prompt shares, each task's opening
 * message, and the tick in tasks.md once a task is done.
 */
import type { WorkerRole } from '../../../protocol/engine-events';
import { featureContextBlock, taskMessage, type TaskBrief } from '../../agents/context/worker-context';
import { loadDefinitions, type LoadedDefinitions } from '../../agents/definitions/load-definitions';
import type { TaskCompletion } from '../../agents/tools/tool';
import type { LlmProvider } from '../../llm/provider';
import { taskRefOf, writeTasksDone } from '../../speckit/tasks-writer';
import type { Task } from '../../speckit/tasks-model';
import { GroupCommit } from '../../util/group-commit';
import type { CommandService } from '../commands/command-service';
import type { ApprovalGate } from '../gate/approval-gate';
import { reviewCompletion, type CompletionAcceptance, type CompletionClaim } from '../workers/completion-review';
import type { RoleProfile, TaskExecutionDeps } from '../workers/task-execution';
import { buildWorkerToolbox, roleProfile } from '../workers/worker-tools';
import type { RunContext } from './run-context';

export interface WorkerWiring {
  provider: LlmProvider;
  gate: ApprovalGate;
  commands: CommandService;
  nextWorkerId: (taskKey: string, role: WorkerRole) => string;
}

export async function workerDeps(ctx: RunContext, wiring: WorkerWiring): Promise<TaskExecutionDeps> {
  const { settings, plan } = ctx;
  const definitions = await loadDefinitions(plan.root, ctx.signal);
  for (const d of definitions.diagnostics)
    ctx.events.log('warn', `${d.path}: ${d.message} (the built-in definition is used)`);
  const deps: TaskExecutionDeps = {
    provider: wiring.provider,
    events: ctx.events,
    profile: profiles(ctx, definitions),
    toolbox: (args) =>
      buildWorkerToolbox({
        ...args,
        workspace: ctx.workspace,
        gate: wiring.gate,
        commands: wiring.commands,
        onToolFailure: (tool: string, error: unknown) =>
          ctx.events.log(
            'warn',
            `${args.workerId}: ${tool} failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        onNeedsApproval: (path: string) =>
          ctx.halt(
            'needs-approval',
            `An edit of ${path} needs approval and nobody can give it (approval policy ${settings.approvalPolicy}). Nothing was written.`,
          ),
      }),
    featureContext: featureContextBlock({
      featureId: ctx.feature.id,
      ...ctx.texts,
      ...(plan.focus !== undefined ? { focus: plan.focus } : {}),
    }),
    commands: definitions.commands,
    taskMessage: taskMessages(ctx),
    appliedChanges: async (key: string) => ctx.applied.get(key) ?? [],
    tick: ticks(ctx),
    recordSummary: async (key: string, workerId: string, role: WorkerRole, completion: TaskCompletion) =>
      ctx.append({
        type: 'worker-summary',
        at: ctx.at(),
        taskKey: key,
        workerId,
        role,
        summary: completion.summary,
        filesTouched: completion.filesTouched,
      }),
    workDone: async (key: string) => ctx.evidence.workDone(key),
    reviewCompletion: async (claim: CompletionClaim, signal: AbortSignal) => reviewCompletion(deps, claim, signal),
    completionReviews: settings.completionReviews,
    bugFixAttempts: settings.bugFixAttempts,
    onBudgetExceeded: (reason: string) => ctx.halt('budget-exceeded', reason),
    onRunStoppingFailure: (reason, cause) => ctx.halt('failed', reason, cause),
    nextWorkerId: wiring.nextWorkerId,
  };
  return deps;
}

/** The profile of a role, or of a named agent definition (`security-reviewer`); built once each. */
function profiles(ctx: RunContext, definitions: LoadedDefinitions): (role: WorkerRole, agent?: string) => RoleProfile {
  const built = new Map<string, RoleProfile>();
  return (role, agent = role) => {
    let profile = built.get(agent);
    if (!profile) {
      const definition = definitions.agents.get(agent) ?? definitions.agents.get(role);
      if (!definition) throw new Error(`no agent definition for ${agent}`);
      profile = roleProfile(definition, ctx.plan.strategy.modelByRole[role], ctx.settings);
      built.set(agent, profile);
    }
    return profile;
  };
}

function taskMessages(ctx: RunContext): (key: string) => Promise<string> {
  const byKey = new Map(ctx.doc.tasks.map((t) => [t.key, t]));
  const planned = new Map(ctx.plan.tasks.map((t) => [t.key, t]));
  const readForContext = async (rel: string) => {
    const read = await ctx.workspace.read(rel, ctx.signal);
    switch (read.kind) {
      case 'text':
        return { kind: 'text' as const, text: read.text };
      case 'not-found':
        return { kind: 'missing' as const };
      case 'refused':
        return { kind: 'unavailable' as const, reason: read.reason };
      default:
        return { kind: 'unavailable' as const, reason: read.kind };
    }
  };
  return async (key) => {
    const task = byKey.get(key);
    const plannedTask = planned.get(key);
    if (!task || !plannedTask) throw new Error(`unknown task ${key}`);
    const phase = task.phaseIndex !== undefined ? ctx.doc.phases[task.phaseIndex] : undefined;
    const brief: TaskBrief = {
      key,
      id: task.id,
      description: task.description,
      details: task.details,
      // As the plan places them: a `../` path from the tasks file's folder is the project file it points to.
      files: plannedTask.files,
      ...(task.story !== undefined ? { story: task.story } : {}),
      phaseTitle: phase?.title ?? 'Tasks',
      ...(phase?.purpose !== undefined ? { phasePurpose: phase.purpose } : {}),
      roleReason: plannedTask.roleReason,
    };
    return taskMessage(brief, ctx.texts.spec, readForContext);
  };
}

/**
 * Ticks are group-committed: two workers finishing together must not read-modify-write tasks.md at once, and
 * the tasks of a [P] group that finish while a tick is being written share the next one: their evidence goes
 * to the journal together, then tasks.md is read and rewritten once for all of them.
 */
function ticks(ctx: RunContext): TaskExecutionDeps['tick'] {
  const byKey = new Map(ctx.doc.tasks.map((t) => [t.key, t]));
  const tasksPath = ctx.feature.tasksPath;
  const group = new GroupCommit<{ task: Task; acceptance: CompletionAcceptance | undefined }>(async (batch) => {
    // Evidence first (write-ahead): a tick the run writes is never without its proof.
    const evidence = await Promise.allSettled(
      batch.map(({ task, acceptance }) =>
        ctx.evidence.recordTick({ key: task.key, id: task.id, lineText: task.lineText }, ctx.tasksRel, acceptance),
      ),
    );
    const proven = batch.filter((_, i) => evidence[i]?.status === 'fulfilled').map(({ task }) => task);
    if (proven.length === 0 || !tasksPath) return evidence;
    // Not the run's signal: a tick of finished work must land even while the run is being cancelled.
    const results = await writeTasksDone(tasksPath, proven.map(taskRefOf), true, new AbortController().signal);
    results.forEach((result, i) => {
      if (!result.ok)
        ctx.events.log(
          'warn',
          `${proven[i]?.id ?? '?'} is done but was not ticked in tasks.md (${result.code}): ${result.reason}`,
        );
    });
    return evidence;
  });
  return async (key, _signal, acceptance) => {
    const task = byKey.get(key);
    if (!task || !tasksPath) return;
    await group.add({ task, acceptance });
  };
}
