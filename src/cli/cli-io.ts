/** What the CLI needs from its process; tests pass an in-memory one. */
export interface CliIo {
  readonly stdout: { write(s: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly stderr: { write(s: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborts work in progress (Ctrl-C); absent in tests. */
  readonly signal?: AbortSignal;
  /**
   * A person at a terminal to ask (edits in `ask` mode, hooks, checklists): present only when stdin is a TTY.
   * Absent in logs, pipes and CI, where a question nobody can answer ends the command with exit code 3.
   */
  readonly terminal?: TerminalInput;
  /**
   * The process's guard against ending without finishing: while `describe` is registered, an event loop that
   * runs dry (every wait lost) ends the process with exit 1 and these lines, never silently with 0.
   */
  readonly lifecycle?: ProcessLifecycle;
}

export interface ProcessLifecycle {
  whilePending(describe: () => string[]): { dispose(): void };
}

export interface TerminalInput {
  /** Shows `prompt` and resolves with the line typed (without its newline); undefined at end of input or on abort. */
  question(prompt: string, signal: AbortSignal): Promise<string | undefined>;
  /**
   * Opens `text` in the user's editor ($VISUAL, $EDITOR) and resolves with what they saved; undefined when
   * the editor could not run or exited with an error. Absent: editing is not offered.
   */
  edit?(text: string, path: string, signal: AbortSignal): Promise<string | undefined>;
}
