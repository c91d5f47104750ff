/**
 * The CommandRunner port: runs one program by argv (never through a shell, so no quoting or injection), in a
 * folder, killed on abort or timeout, output capped. The engine runs only the project's configured commands
 * (see `ConfiguredCommands`), never a command line a model wrote.
 */
export interface CommandRunner {
  run(argv: readonly string[], options: CommandRunOptions): Promise<CommandResult>;
}

export interface CommandRunOptions {
  cwd: string;
  signal: AbortSignal;
  /** Kill after this long. Default: no timeout (the signal still applies). */
  timeoutMs?: number;
  /** Variables added to (or, with `undefined`, removed from) the inherited environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Per stream; head and tail kept. Default 64 KiB characters. */
  maxOutputChars?: number;
}

export type CommandResult =
  | {
      kind: 'exited';
      /** null when killed by a signal. */
      exitCode: number | null;
      signal: string | null;
      stdout: string;
      stderr: string;
      /** True when either stream lost its middle to the cap. */
      truncated: boolean;
      timedOut: boolean;
      aborted: boolean;
      durationMs: number;
    }
  /** The program could not be started (not installed, not executable): an expected outcome, not a throw. */
  | { kind: 'failed-to-start'; message: string; durationMs: number };

/** The project's commands by name, as argv arrays: `{ test: ['npm', 'test'], build: ['npm', 'run', 'build'] }`. */
export type ConfiguredCommands = Readonly<Record<string, readonly string[]>>;

/** A configured command asked for by name (an agent's `run_command`, the test run): what came of it. */
export type CommandOutcome =
  | { kind: 'ran'; name: string; argv: readonly string[]; result: CommandResult }
  | { kind: 'unknown-command'; name: string; available: string[] }
  | { kind: 'denied'; name: string; reason: string };
