/**
 * Ctrl-C for a command that runs agents: the first one cancels cleanly (workers stop, the journal records it,
 * the run stays resumable); a second one means "now", and the process exits at once with 130 (128 + SIGINT).
 */
export function interruptHandler(
  controller: AbortController,
  deps: { write(s: string): unknown; exit(code: number): void },
): () => void {
  let count = 0;
  return () => {
    count++;
    if (count === 1) {
      deps.write('\nspeckit-orchestra: cancelling; the run stays resumable (press Ctrl-C again to exit at once)\n');
      controller.abort(new Error('interrupted'));
      return;
    }
    deps.exit(130);
  };
}
