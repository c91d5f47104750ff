/**
 * The run's two doors to the project: the approval gate (every edit) and the command service (every command).
 * Both journal what they do; both ask the face only when someone can answer.
 */
import { describeDefinitionChanges, type DefinitionChange } from '../commands/command-definitions';
import { CommandService, type CommandApprover } from '../commands/command-service';
import { ApprovalGate } from '../gate/approval-gate';
import { proposalContent } from '../gate/proposal';
import type { RunContext } from './run-context';

export function createGate(ctx: RunContext): ApprovalGate {
  const approver = ctx.ports.approver;
  return new ApprovalGate({
    workspace: ctx.workspace,
    journal: ctx.journal,
    policy: ctx.settings.approvalPolicy,
    ...(approver ? { approver: { decide: (proposal, signal) => approver(proposalContent(proposal), signal) } } : {}),
    unattended: !ctx.interactive,
    schedulerOwned: [ctx.tasksRel],
    maxProposalBytes: ctx.settings.proposalBytes,
    now: () => ctx.ports.clock.now(),
    onListenerError: (error) =>
      ctx.events.log('error', `approval: ${error instanceof Error ? error.message : String(error)}`),
  });
}

export function createCommandService(ctx: RunContext): CommandService {
  const { ports, settings } = ctx;
  return new CommandService({
    commands: settings.commands,
    allowList: settings.allowedCommands,
    runner: ports.commandRunner,
    cwd: ctx.plan.root,
    journal: ctx.journal,
    approver: commandApprover(ctx),
    changedByRun: (paths, signal) => changedByRun(ctx, paths, signal),
    now: () => ports.clock.now(),
  });
}

/**
 * The run's answer when the command service asks: a command whose defining file this run changed is asked
 * again with the change (unless changed commands are allowed); any other needs someone who can answer.
 */
function commandApprover(ctx: RunContext): CommandApprover {
  const { ports, settings } = ctx;
  return {
    approveCommand: async (request, signal) => {
      const line = request.argv.join(' ');
      const changed = request.changedDefinitions ?? [];
      if (changed.length > 0) {
        const files = changed.map((c) => c.path).join(', ');
        if (settings.allowChangedCommands) {
          ctx.events.log('warn', `running ${line} although this run changed ${files} (changed commands allowed)`);
          return { kind: 'allow' };
        }
        if (!ctx.interactive)
          return {
            kind: 'deny',
            feedback: `this run changed ${files}, which defines what "${request.name}" runs, and nobody can confirm the change in this run.`,
          };
        const ok = await ports.confirm(
          {
            kind: 'changed-command',
            title: `This run changed ${files}, which defines what ${line} runs. Run it anyway for ${request.taskKey}?`,
            detail: describeDefinitionChanges(changed),
            required: false,
          },
          signal,
        );
        return ok
          ? { kind: 'allow' }
          : { kind: 'deny', feedback: `The user declined to run it after this run changed ${files}.` };
      }
      if (!ctx.interactive)
        return { kind: 'deny', feedback: `"${request.name}" needs approval and nobody can give it in this run.` };
      const ok = await ports.confirm(
        {
          kind: 'command',
          title: `Run the ${request.name} command (${line}) for ${request.taskKey}?`,
          detail: line,
          required: false,
        },
        signal,
      );
      return ok ? { kind: 'allow' } : { kind: 'deny', feedback: 'The user declined to run it.' };
    },
  };
}

/** What a file the run never kept the original of is shown as, in a confirmation's diff. */
const ORIGINAL_NOT_KEPT = '(its content before the run was not kept)\n';
/** What a file that cannot be read as text now is shown as. */
const NOT_TEXT_NOW = '(not readable as text now)\n';

/** Of `paths`, the files this run changed and that are not as they were before it, with both contents. */
async function changedByRun(
  ctx: RunContext,
  paths: readonly string[],
  signal: AbortSignal,
): Promise<DefinitionChange[]> {
  const changes: DefinitionChange[] = [];
  for (const path of paths) {
    const original = ctx.beforeRun.get(path);
    if (!original) continue;
    const now = await ctx.workspace.read(path, signal);
    const after = now.kind === 'text' ? now.text : now.kind === 'not-found' ? null : NOT_TEXT_NOW;
    const before = (await original()) ?? ORIGINAL_NOT_KEPT;
    if (before === after) continue;
    changes.push({ path, before, after });
  }
  return changes;
}
