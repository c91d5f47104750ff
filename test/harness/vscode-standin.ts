// Stands in for "the VS Code executable" that @vscode/test-electron's runTests spawns, so the standard
// runTests entry point works offline: it takes the same command line, runs the extension tests in the
// test VS Code server + headless Chromium (workbench.ts), and exits 0 when they pass, 1 otherwise.
// Spawned through the `vscode-standin` shell wrapper beside it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WORKSPACE_TRUST_ENV } from './host-suite';
import { openWorkbench, WorkbenchStartError, type Workbench } from './workbench';

interface StandInArgs {
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  folder: string;
  userDataDir?: string;
  extensionsDir?: string;
}

const VALUE_FLAGS = ['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

function isValueFlag(name: string): name is ValueFlag {
  return (VALUE_FLAGS as readonly string[]).includes(name);
}

/** Reads runTests' command line; desktop-only flags (--no-sandbox, --skip-welcome, …) are ignored. */
export function parseStandInArgs(argv: readonly string[]): StandInArgs {
  const values = new Map<ValueFlag, string>();
  const folders: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      folders.push(resolve(arg));
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!isValueFlag(name)) continue;
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new Error(`--${name} needs a value`);
    values.set(name, resolve(value));
  }
  const extensionDevelopmentPath = values.get('extensionDevelopmentPath');
  const extensionTestsPath = values.get('extensionTestsPath');
  if (extensionDevelopmentPath === undefined || extensionTestsPath === undefined) {
    throw new Error('expected --extensionDevelopmentPath=… and --extensionTestsPath=… (the runTests command line)');
  }
  const [folder, ...extra] = folders;
  if (folder === undefined || extra.length > 0) {
    throw new Error(`expected exactly one folder to open, got ${folders.length === 0 ? 'none' : folders.join(', ')}`);
  }
  const userDataDir = values.get('user-data-dir');
  const extensionsDir = values.get('extensions-dir');
  return {
    extensionDevelopmentPath,
    extensionTestsPath,
    folder,
    ...(userDataDir !== undefined ? { userDataDir } : {}),
    ...(extensionsDir !== undefined ? { extensionsDir } : {}),
  };
}

// The workbench forwards its own start-up chatter through the same channel as the tests' console output.
const WORKBENCH_CHATTER = [
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket/,
  /^Ignoring fetching additional builtin extensions/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/,
  /^ChatSessionStore:/,
  /^Creation of workbench contribution/,
];
const verbose = process.env['SPECKIT_HOST_VERBOSE'] === '1';

function printTestLog(level: string, message: string): void {
  if (!verbose && WORKBENCH_CHATTER.some((pattern) => pattern.test(message))) return;
  (level === 'error' ? process.stderr : process.stdout).write(`${message}\n`);
}

function timeoutMs(): number {
  const raw = Number(process.env['SPECKIT_HOST_TEST_TIMEOUT_MS']);
  return Number.isFinite(raw) && raw > 0 ? raw : 180_000;
}

/** Why the run was stopped from outside the tests; a timeout also wants the server's output shown. */
class StandInStopped extends Error {
  constructor(
    message: string,
    readonly showServerOutput: boolean,
  ) {
    super(message);
    this.name = 'StandInStopped';
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/**
 * The host suites run as under a desktop VS Code, whose `files.autoSave` is off. The web workbench saves a dirty
 * editor after 1 s by default: a test that keeps a document unsaved (a review that must ask before replacing the
 * user's unsaved text) would race that save, and lose it whenever the machine is loaded.
 */
const HOST_SUITE_SETTINGS = { 'files.autoSave': 'off' } as const;

async function main(): Promise<number> {
  const args = parseStandInArgs(process.argv.slice(2));
  // The host runner passes fresh --user-data-dir/--extensions-dir; a bare invocation gets temporary ones.
  const scratch = await mkdtemp(join(tmpdir(), 'speckit-host-'));
  const controller = new AbortController();
  const stop = (message: string, showServerOutput: boolean): void =>
    controller.abort(new StandInStopped(message, showServerOutput));
  process.once('SIGINT', () => stop('interrupted (SIGINT): stopping the test VS Code', false));
  process.once('SIGTERM', () => stop('terminated (SIGTERM): stopping the test VS Code', false));
  const limit = timeoutMs();
  const timer = setTimeout(
    () => stop(`the tests did not finish within ${limit} ms (SPECKIT_HOST_TEST_TIMEOUT_MS)`, true),
    limit,
  );
  let reportExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((r) => (reportExit = r));
  let workbench: Workbench | undefined;
  try {
    workbench = await openWorkbench({
      folder: args.folder,
      extensionDevelopmentPath: args.extensionDevelopmentPath,
      extensionTestsPath: args.extensionTestsPath,
      userDataDir: args.userDataDir ?? join(scratch, 'user-data'),
      extensionsDir: args.extensionsDir ?? join(scratch, 'extensions'),
      // runTests always passes --disable-workspace-trust; the host runner says per suite what it wants.
      workspaceTrust: process.env[WORKSPACE_TRUST_ENV] === 'untrusted' ? 'untrusted' : 'trusted',
      userSettings: HOST_SUITE_SETTINGS,
      signal: controller.signal,
      handleSignals: false,
      onAutomationExit: reportExit,
      onAutomationLog: printTestLog,
    });
    const code = await Promise.race([exited, rejectOnAbort(controller.signal)]);
    return code === 0 ? 0 : 1;
  } catch (error) {
    console.error(`[host] ${error instanceof Error ? error.message : String(error)}`);
    const stopped = controller.signal.reason instanceof StandInStopped ? controller.signal.reason : undefined;
    const output = error instanceof WorkbenchStartError ? error.serverOutput : workbench?.server.output();
    if (output !== undefined && stopped?.showServerOutput !== false) {
      console.error(`--- test VS Code server output ---\n${output}--- end of server output ---`);
    }
    return 1;
  } finally {
    clearTimeout(timer);
    await workbench?.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('[host]', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
