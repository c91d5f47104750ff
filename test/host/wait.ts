/**
 * Waits until `probe` returns a value other than undefined, checking every 50 ms, and fails with a message
 * naming what it waited for once the deadline passes. For states VS Code offers no event for (an
 * extension becoming active); where an event exists, await the event with a deadline instead.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A provider command's answer, or undefined when VS Code cancelled the request because the document changed while
 * it ran (a tick written to disk, a reload): for a `waitFor` probe, which then asks again.
 */
export async function unlessCanceled<T>(request: Thenable<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof Error && error.message === 'Canceled') return undefined;
    throw error;
  }
}
