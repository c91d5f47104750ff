// Only what every command needs loads up front: readline, the editor's child process and temp files load when a
// question is asked, so `tasks` starts like a small tool.
import { basename, join } from 'node:path';
import { redactSecrets } from '../core/engine/light';
import { runCli, type TerminalInput } from './cli';
import type { ProcessLifecycle } from './cli-io';
import { interruptHandler } from './interrupts';

const controller = new AbortController();
const interrupt = interruptHandler(controller, {
  write: (s) => process.stderr.write(s),
  exit: (code) => process.exit(code),
  after: (ms, run) => setTimeout(run, ms).unref(),
});
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);

/**
 * The reader of our output went away (`speckit-orchestra tasks | head -1`): nothing more can be shown, so the
 * command stops quietly, as a pipe's writer should. A run in progress is cancelled cleanly and stays resumable.
 */
let outputClosed = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: unknown) => {
    if ((error as { code?: unknown } | null)?.code !== 'EPIPE') throw error;
    if (outputClosed) return;
    outputClosed = true;
    controller.abort(new Error('the output was closed'));
    process.exitCode = 0;
  });
}

/**
 * Questions on a TTY, one readline interface per question: between questions stdin is left alone, so it
 * neither keeps the process alive nor swallows Ctrl-C (readline in terminal mode turns it into its own event,
 * passed on here as the process's interrupt).
 */
const terminal: TerminalInput | undefined =
  process.stdin.isTTY === true
    ? {
        async question(prompt, signal) {
          if (signal.aborted) return undefined;
          const { createInterface } = await import('node:readline/promises');
          const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
          let closed = false;
          rl.on('SIGINT', () => interrupt('SIGINT'));
          rl.on('close', () => (closed = true));
          try {
            return await rl.question(prompt, { signal });
          } catch (error) {
            if (signal.aborted || closed) return undefined;
            throw error;
          } finally {
            rl.close();
          }
        },
        edit: editInEditor,
      }
    : undefined;

/**
 * The proposal in the user's editor ($VISUAL, $EDITOR, else vi/notepad), as a temp file named like the
 * target so the editor picks its language. The editor command is split on spaces (`code --wait`), no shell.
 */
async function editInEditor(text: string, path: string, signal: AbortSignal): Promise<string | undefined> {
  const [{ spawn }, { mkdtemp, readFile, rm, writeFile }, { tmpdir }] = await Promise.all([
    import('node:child_process'),
    import('node:fs/promises'),
    import('node:os'),
  ]);
  const dir = await mkdtemp(join(tmpdir(), 'speckit-orchestra-edit-'));
  const file = join(dir, basename(path));
  try {
    await writeFile(file, text);
    const editor = process.env['VISUAL'] || process.env['EDITOR'] || (process.platform === 'win32' ? 'notepad' : 'vi');
    const [program = 'vi', ...args] = editor.trim().split(/\s+/);
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(program, [...args, file], { stdio: 'inherit', signal });
      child.on('error', () => resolve(null));
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    return code === 0 ? await readFile(file, 'utf8') : undefined;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A command must never end "successfully" without finishing. If the event loop runs dry while the command is
 * still pending (every wait it had was lost), Node would exit with 0: say what was still pending, exit 1.
 */
let settled = false;
const pendingDescriptions = new Set<() => string[]>();
const lifecycle: ProcessLifecycle = {
  whilePending(describe) {
    pendingDescriptions.add(describe);
    return { dispose: () => pendingDescriptions.delete(describe) };
  },
};
process.on('beforeExit', () => {
  if (settled) return;
  const lines = [...pendingDescriptions].flatMap((describe) => describe());
  process.stderr.write(
    redactSecrets(
      `speckit-orchestra: stopped without finishing: nothing was left that could move the work on${lines.length > 0 ? `; it was waiting for:\n  ${lines.join('\n  ')}` : ''}\nA run stays resumable (--resume).\n`,
    ),
  );
  process.exit(1);
});

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
  lifecycle,
  ...(terminal ? { terminal } : {}),
}).then(
  (code) => exit(code),
  (error: unknown) => {
    process.stderr.write(
      redactSecrets(`speckit-orchestra: ${error instanceof Error ? error.message : String(error)}\n`),
    );
    exit(1);
  },
);

/** Sets the exit code and lets output drain; idle keep-alive sockets of the model client must not hold the process. */
function exit(code: number): void {
  settled = true;
  // Once the reader is gone the command's own code no longer matters to anyone: a broken pipe is not a failure.
  if (outputClosed) code = 0;
  process.exitCode = code;
  setTimeout(() => process.exit(code), 500).unref();
}
