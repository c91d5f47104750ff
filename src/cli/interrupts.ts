/**
 * Ctrl-C (SIGINT) or SIGTERM for a command that runs agents: the first one cancels cleanly (workers stop, the
 * journal records it, the run stays resumable); a second one means "now". Either way the process is gone
 * within `STOP_DEADLINE_MS` of the first signal, whatever a tool, a command or the model is doing: a clean
 * cancel that has not finished by then exits anyway, and the journal (fsync'd record by record, edits
 * written ahead) still lets `--resume` continue. Exit codes are 128 + the signal's number.
 */

/** From the first signal to the process's end, at the latest (the promise is "within 2 s"). */
export const STOP_DEADLINE_MS = 1_500;

const EXIT_CODE: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

export interface InterruptDeps {
  write(s: string): unknown;
  exit(code: number): void;
  /** Arms the deadline; the timer must not keep the process alive by itself. */
  after(ms: number, run: () => void): void;
}

export function interruptHandler(controller: AbortController, deps: InterruptDeps): (signal?: string) => void {
  let count = 0;
  return (signal = 'SIGINT') => {
    count++;
    const code = EXIT_CODE[signal] ?? 130;
    if (count > 1) {
      deps.exit(code);
      return;
    }
    const how = signal === 'SIGINT' ? '; press Ctrl-C again to exit at once' : '';
    deps.write(`\nspeckit-orchestra: cancelling; the run stays resumable${how}\n`);
    controller.abort(new Error(signal === 'SIGINT' ? 'interrupted' : `stopped (${signal})`));
    deps.after(STOP_DEADLINE_MS, () => {
      deps.write(`speckit-orchestra: stopped before the cancel finished; --resume continues the run\n`);
      deps.exit(code);
    });
  };
}
