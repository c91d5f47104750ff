import { sha256 } from '../journal/hash';
import type { RunJournal } from '../journal/run-store';
import type { CommandOutcome, CommandRunner, ConfiguredCommands } from '../../ports/command-runner';
import { truncateMiddle } from '../../util/output-capture';
import { definingFiles, type DefinitionChange } from './command-definitions';

/** Asks whether a configured command may run now (a confirmation in the extension, a TTY prompt in the CLI). */
export interface CommandApprover {
  approveCommand(
    request: CommandRequest,
    signal: AbortSignal,
  ): Promise<{ kind: 'allow' } | { kind: 'deny'; feedback: string }>;
}

export interface CommandRequest {
  name: string;
  argv: readonly string[];
  taskKey: string;
  workerId: string;
  /**
   * Files defining the command that this run changed (its `package.json` scripts, its Makefile): running it
   * runs what a model wrote. Such a request needs a fresh, explicit answer that shows these changes; an
   * allow-list entry or a blanket "yes" does not cover it.
   */
  changedDefinitions?: readonly DefinitionChange[];
}

export interface CommandServiceOptions {
  commands: ConfiguredCommands;
  /** Names that run without asking (a setting). Everything else needs the approver. */
  allowList: readonly string[];
  runner: CommandRunner;
  /** The workspace folder: commands run there. */
  cwd: string;
  journal: Pick<RunJournal, 'append'>;
  approver?: CommandApprover;
  /** Of the given files (relative to `cwd`), the ones this run changed, with their content before the run and now. */
  changedByRun?: (paths: readonly string[], signal: AbortSignal) => Promise<DefinitionChange[]>;
  timeoutMs?: number;
  maxOutputChars?: number;
  now?: () => Date;
}

/** Characters of combined output kept in the journal, so a resumed run can report a finished command. */
const JOURNAL_OUTPUT_CHARS = 8 * 1024;

/**
 * Runs the project's configured commands by name for agents: never a command line a model wrote, never
 * through a shell, every run journaled. The one place command consent is decided: an allow-listed command
 * runs without asking, another is asked once per run; a command whose defining files this run changed is
 * asked again, with the change shown, each time they changed since the last answer, allow-listed or not.
 */
export class CommandService {
  /** Names the user allowed in this run, by the state of their changed definitions when allowed ('' = none). */
  private readonly allowed = new Map<string, string>();

  constructor(private readonly options: CommandServiceOptions) {}

  get names(): string[] {
    return Object.keys(this.options.commands).sort();
  }

  async run(
    name: string,
    request: { taskKey: string; workerId: string; signal: AbortSignal },
  ): Promise<CommandOutcome> {
    const argv = Object.hasOwn(this.options.commands, name) ? this.options.commands[name] : undefined;
    if (argv === undefined || argv.length === 0) return { kind: 'unknown-command', name, available: this.names };
    const at = (): string => (this.options.now?.() ?? new Date()).toISOString();

    const changed = (await this.options.changedByRun?.(definingFiles(argv), request.signal)) ?? [];
    const state = changed.map((c) => `${c.path}:${c.after === null ? 'deleted' : sha256(c.after)}`).join(' ');
    const covered =
      changed.length === 0
        ? this.options.allowList.includes(name) || this.allowed.has(name)
        : this.allowed.get(name) === state;
    if (!covered) {
      const approver = this.options.approver;
      const answer = approver
        ? await approver.approveCommand(
            {
              name,
              argv,
              taskKey: request.taskKey,
              workerId: request.workerId,
              ...(changed.length > 0 ? { changedDefinitions: changed } : {}),
            },
            request.signal,
          )
        : ({ kind: 'deny', feedback: `"${name}" is not allow-listed and nobody can approve it in this run.` } as const);
      if (answer.kind === 'allow') this.allowed.set(name, state);
      else {
        await this.options.journal.append({
          type: 'command-run',
          at: at(),
          name,
          argv: [...argv],
          taskKey: request.taskKey,
          outcome: 'denied',
          exitCode: null,
          signal: null,
          timedOut: false,
          durationMs: 0,
        });
        return { kind: 'denied', name, reason: answer.feedback };
      }
    }

    const result = await this.options.runner.run(argv, {
      cwd: this.options.cwd,
      signal: request.signal,
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
      ...(this.options.maxOutputChars !== undefined ? { maxOutputChars: this.options.maxOutputChars } : {}),
    });
    const base = { type: 'command-run' as const, at: at(), name, argv: [...argv], taskKey: request.taskKey };
    const output =
      result.kind === 'exited' ? `${result.stdout}${result.stderr === '' ? '' : `\n[stderr]\n${result.stderr}`}` : '';
    await this.options.journal.append(
      result.kind === 'exited'
        ? {
            ...base,
            outcome: 'exited',
            exitCode: result.exitCode,
            signal: result.signal,
            timedOut: result.timedOut,
            durationMs: result.durationMs,
            output: truncateMiddle(output, JOURNAL_OUTPUT_CHARS).text,
            outputDigest: sha256(output),
          }
        : {
            ...base,
            outcome: 'failed-to-start',
            exitCode: null,
            signal: null,
            timedOut: false,
            durationMs: result.durationMs,
            output: result.message,
          },
    );
    return { kind: 'ran', name, argv, result };
  }
}
