/** What the CLI needs from its process; tests pass an in-memory one. */
export interface CliIo {
  readonly stdout: { write(s: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(s: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborts work in progress (Ctrl-C); absent in tests. */
  readonly signal?: AbortSignal;
}
