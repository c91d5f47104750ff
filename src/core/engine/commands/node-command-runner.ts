import { spawn } from 'node:child_process';
import { HeadTailCapture } from '../../util/output-capture';
import type { CommandResult, CommandRunOptions, CommandRunner } from '../../ports/command-runner';

/** Grace between SIGTERM and SIGKILL, so a test runner can clean up its own children. */
const KILL_GRACE_MS = 2000;

/**
 * Variables removed from every child's environment unless the caller sets them: commands run code that
 * agents wrote, and the run's own model credentials are none of its business.
 */
const SCRUBBED_ENV = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'];

/**
 * The CommandRunner over child_process.spawn with `shell: false`. On POSIX the child leads its own process
 * group (`detached`), so abort and timeout kill the whole tree (`npm test` → node → workers), not only npm.
 */
export class NodeCommandRunner implements CommandRunner {
  async run(argv: readonly string[], options: CommandRunOptions): Promise<CommandResult> {
    const started = performance.now();
    const [program, ...args] = argv;
    if (program === undefined) return { kind: 'failed-to-start', message: 'empty command', durationMs: 0 };
    if (options.signal.aborted) return exitedBeforeStart(started);

    const env: Record<string, string | undefined> = { ...process.env };
    for (const name of SCRUBBED_ENV) delete env[name];
    Object.assign(env, options.env ?? {});
    for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];

    const posix = process.platform !== 'win32';
    const maxChars = options.maxOutputChars ?? 64 * 1024;
    const stdout = new HeadTailCapture(maxChars);
    const stderr = new HeadTailCapture(maxChars);

    return new Promise<CommandResult>((resolve) => {
      const child = spawn(program, args, {
        cwd: options.cwd,
        env,
        shell: false,
        detached: posix,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
      let timedOut = false;
      let aborted = false;
      let killTimer: NodeJS.Timeout | undefined;

      const kill = (signal: NodeJS.Signals): void => {
        if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
        try {
          if (posix) process.kill(-child.pid, signal);
          else child.kill(signal);
        } catch (error) {
          // ESRCH: the group is gone already, which is what we wanted.
          if ((error as { code?: unknown }).code !== 'ESRCH') throw error;
        }
      };
      // The child leads its own group, so our exit would not end it: a process that stops (a forced exit after
      // Ctrl-C, a crash) takes the commands it started with it.
      const killOnExit = (): void => kill('SIGKILL');
      process.once('exit', killOnExit);
      const stop = (): void => {
        kill('SIGTERM');
        killTimer ??= setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS);
      };
      const onAbort = (): void => {
        aborted = true;
        stop();
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      const timeout =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              stop();
            }, options.timeoutMs);

      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => stdout.append(chunk));
      child.stderr.on('data', (chunk: string) => stderr.append(chunk));

      const cleanUp = (): void => {
        process.removeListener('exit', killOnExit);
        options.signal.removeEventListener('abort', onAbort);
        if (timeout) clearTimeout(timeout);
        if (killTimer) clearTimeout(killTimer);
      };
      child.on('error', (error) => {
        cleanUp();
        resolve({ kind: 'failed-to-start', message: error.message, durationMs: performance.now() - started });
      });
      child.on('close', (exitCode, signal) => {
        cleanUp();
        resolve({
          kind: 'exited',
          exitCode,
          signal,
          stdout: stdout.text(),
          stderr: stderr.text(),
          truncated: stdout.truncated || stderr.truncated,
          timedOut,
          aborted,
          durationMs: performance.now() - started,
        });
      });
    });
  }
}

function exitedBeforeStart(started: number): CommandResult {
  return {
    kind: 'exited',
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    truncated: false,
    timedOut: false,
    aborted: true,
    durationMs: performance.now() - started,
  };
}
