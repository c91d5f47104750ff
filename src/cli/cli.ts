import { version } from '../../package.json';
import { redactSecrets, rememberSecret } from '../core/engine/light';
import type { CliIo } from './cli-io';
import { runTasksCommand } from './tasks-command';

export type { CliIo, TerminalInput } from './cli-io';

export const USAGE = `usage: speckit-orchestra <command> [options]

commands:
  tasks      show the chosen feature's phases, tasks, dependencies and critical path
  implement  implement the feature's tasks with a team of agents (or --dry-run to see the plan)
  verify     check that every ticked task's evidence still holds on disk (for CI: exit 1 when one does not)

Run 'speckit-orchestra <command> --help' for a command's options; 'speckit-orchestra --version' prints
the version.
`;

/**
 * The same io with every line written through `redactSecrets`: whatever a command prints (an error a gateway
 * echoed with the key in it, a log line) reaches the terminal without a secret.
 */
function redacting(io: CliIo): CliIo {
  // Built on the original stream, so `isTTY` and `columns` (updated on a resize) read through to it.
  const stdout = Object.create(io.stdout, {
    write: { value: (s: string) => io.stdout.write(redactSecrets(s)) },
  }) as CliIo['stdout'];
  return { ...io, stdout, stderr: { write: (s: string) => io.stderr.write(redactSecrets(s)) } };
}

/** Entry point shared by the bin script and the tests; returns the exit code. */
export async function runCli(argv: string[], rawIo: CliIo): Promise<number> {
  rememberSecret(rawIo.env['ANTHROPIC_API_KEY']);
  rememberSecret(rawIo.env['ANTHROPIC_AUTH_TOKEN']);
  const io = redacting(rawIo);
  const [command, ...rest] = argv;
  const signal = io.signal ?? new AbortController().signal;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
      (command === undefined ? io.stderr : io.stdout).write(USAGE);
      return command === undefined ? 2 : 0;
    case '--version':
    case '-V':
      io.stdout.write(`speckit-orchestra ${version}\n`);
      return 0;
    case 'tasks':
      return runTasksCommand(rest, io, signal);
    case 'implement': {
      // The engine, the model SDK and zod load only here: `tasks` and `--help` start like a small tool.
      const { runImplementCommand } = await import('./implement-command');
      return runImplementCommand(rest, io, signal);
    }
    case 'verify': {
      // The diff library loads only here: showing a drifted hunk is verify's work, not every command's.
      const { runVerifyCommand } = await import('./verify-command');
      return runVerifyCommand(rest, io, signal);
    }
    default:
      io.stderr.write(`speckit-orchestra: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}
