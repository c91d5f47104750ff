/**
 * `.specify/extensions.yml` hooks around an implementation (`before_implement`, `after_implement`): each is
 * shown to the user and runs only with their consent. Optional hooks are offered; mandatory ones must be
 * accepted before the run starts — refusing one stops the run before anything happens.
 *
 * A hook names a command. When the project configured a command of that name (settings, argv form), it runs
 * through the CommandRunner (no shell). Otherwise it is a spec-kit agent command (`speckit.git.commit`) that
 * this engine cannot execute: the user is told to run it, and their consent counts as acknowledging that.
 */
import type { CommandRunner } from '../../ports/command-runner';
import type { HookView } from '../facade-types';
import type { Confirm } from '../../ports/consent';
import type { RunEvents } from '../events/run-events';

export interface HookDeps {
  confirm: Confirm;
  events: RunEvents;
  signal: AbortSignal;
  commands: Readonly<Record<string, readonly string[]>>;
  runner: CommandRunner;
  cwd: string;
}

export type HookResult = { kind: 'ok'; ran: string[] } | { kind: 'stop'; message: string };

export async function runHooks(
  event: HookView['event'],
  hooks: readonly HookView[],
  deps: HookDeps,
): Promise<HookResult> {
  const ran: string[] = [];
  for (const hook of hooks.filter((h) => h.event === event)) {
    const argv = Object.hasOwn(deps.commands, hook.command) ? deps.commands[hook.command] : undefined;
    const what = argv ? `runs \`${argv.join(' ')}\`` : `is the agent command /${hook.command}, which you run yourself`;
    const ok = await deps.confirm(
      {
        kind: 'hook',
        title: `${hook.optional ? 'Run the optional' : 'Run the mandatory'} ${event} hook '${hook.command}'?`,
        detail: `${hook.description ? `${hook.description}\n` : ''}It ${what}.${hook.optional ? '' : ' Refusing it stops the run.'}`,
        required: !hook.optional,
      },
      deps.signal,
    );
    if (!ok) {
      if (!hook.optional)
        return {
          kind: 'stop',
          message: `The mandatory ${event} hook '${hook.command}' was refused, so the run stopped${event === 'before_implement' ? ' before anything happened' : ''}.`,
        };
      deps.events.log('info', `skipped the optional ${event} hook '${hook.command}'`);
      continue;
    }
    if (!argv || argv.length === 0) {
      deps.events.log(
        'warn',
        `${event} hook '${hook.command}' is a spec-kit agent command; run /${hook.command} in your agent (it was not executed here)`,
      );
      continue;
    }
    const result = await deps.runner.run(argv, { cwd: deps.cwd, signal: deps.signal });
    const failed = result.kind === 'failed-to-start' || result.exitCode !== 0;
    const detail =
      result.kind === 'failed-to-start'
        ? result.message
        : `exit ${String(result.exitCode)}${result.stderr ? `: ${result.stderr.slice(-400)}` : ''}`;
    if (failed && !hook.optional)
      return { kind: 'stop', message: `The mandatory ${event} hook '${hook.command}' failed (${detail}).` };
    deps.events.log(
      failed ? 'warn' : 'info',
      `${event} hook '${hook.command}' ${failed ? `failed (${detail})` : 'ran'}`,
    );
    ran.push(hook.command);
  }
  return { kind: 'ok', ran };
}
