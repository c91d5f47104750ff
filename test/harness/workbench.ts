// Starts the test VS Code (the VS Code 1.100.3 server from the code-server npm package) and a headless
// Chromium on its web workbench. Shared by the host-test stand-in (vscode-standin.ts) and the browser
// end-to-end tests, so both run the extension in the same real host. The recipe and its reasons:
// ../shared/vscode-host-testing.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath, codeServerEntry, vscodeServerEntry } from './paths';

/** Raised when the test VS Code or the browser cannot be brought up; carries the server's output. */
export class WorkbenchStartError extends Error {
  /** What the server printed before the failure, when it had been started. */
  readonly serverOutput: string | undefined;
  constructor(message: string, options?: { cause?: unknown; serverOutput?: string }) {
    super(message, options);
    this.name = 'WorkbenchStartError';
    this.serverOutput = options?.serverOutput;
  }
}

export interface VsCodeServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** Everything the server printed so far, for failure reports. */
  output(): string;
  /** Kills the server's whole process group (it forks an extension host and file watchers). */
  stop(): Promise<void>;
}

export interface ServerOptions {
  userDataDir: string;
  extensionsDir: string;
  /** Holds the config.yaml that keeps code-server from writing one into the home folder. */
  scratchDir: string;
  /** Extra environment for the server and so for the extension host (tests pass mock-server URLs this way). */
  env?: NodeJS.ProcessEnv;
  /**
   * `untrusted`: workspace trust is on and the folder opens in restricted mode, as a folder from an unknown
   * source would. Default `trusted`: trust is off (as runTests has it), so every folder counts as trusted.
   */
  workspaceTrust?: 'trusted' | 'untrusted';
  /** User settings over the quiet test defaults (a test that wants the walkthrough opened on first use). */
  userSettings?: Readonly<Record<string, unknown>>;
  signal?: AbortSignal;
}

/** User settings that keep the workbench quiet and deterministic: no welcome page, trust prompt or network. */
export const testUserSettings = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'workbench.tips.enabled': false,
  // The extension opens its walkthrough on first activation unless this says no; tests that want it say yes.
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
} as const;

/** With trust on, no dialog: the headless browser could not answer it, and the folder stays untrusted. */
const untrustedUserSettings = {
  ...testUserSettings,
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
} as const;

/**
 * Settings VS Code registers with machine scope. The code-server workbench is a remote window, and a remote
 * window reads these from the server's Machine settings only, ignoring them in User settings (so the test
 * workbench once opened the walkthrough with the User setting off).
 */
const MACHINE_SCOPED_SETTINGS: ReadonlySet<string> = new Set(['workbench.welcomePage.walkthroughs.openOnInstall']);

/**
 * `replace`: a throwaway profile gets exactly the test settings. `keep`: a person's profile (`npm start`) gets
 * them only where it has no settings file yet, so what they changed in the workbench survives a restart.
 */
export type ExistingSettings = 'replace' | 'keep';

export async function writeUserSettings(
  userDataDir: string,
  workspaceTrust: 'trusted' | 'untrusted' = 'trusted',
  overrides: Readonly<Record<string, unknown>> = {},
  existing: ExistingSettings = 'replace',
): Promise<void> {
  const settings = { ...(workspaceTrust === 'untrusted' ? untrustedUserSettings : testUserSettings), ...overrides };
  const machine = Object.fromEntries(Object.entries(settings).filter(([key]) => MACHINE_SCOPED_SETTINGS.has(key)));
  for (const [folder, values] of [
    ['User', settings],
    ['Machine', machine],
  ] as const) {
    await mkdir(join(userDataDir, folder), { recursive: true });
    const text = `${JSON.stringify(values, null, 2)}\n`;
    const path = join(userDataDir, folder, 'settings.json');
    if (existing === 'replace') {
      await writeFile(path, text);
      continue;
    }
    try {
      await writeFile(path, text, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolvePort(port) : reject(new WorkbenchStartError('no free loopback port'))));
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Negative pid: the whole group the server leads (detached: true made it a group leader).
    process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitUntilHealthy(
  origin: string,
  healthPath: string,
  child: ChildProcess,
  deadlineMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = performance.now() + deadlineMs;
  let lastError: unknown;
  while (performance.now() < deadline) {
    signal?.throwIfAborted();
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new WorkbenchStartError(`the test VS Code server exited early (${child.exitCode ?? child.signalCode})`);
    }
    try {
      const response = await fetch(`${origin}${healthPath}`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
      lastError = new Error(`${healthPath} answered ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new WorkbenchStartError(
    `the test VS Code server did not answer ${origin}${healthPath} within ${deadlineMs} ms`,
    {
      cause: lastError,
    },
  );
}

/**
 * Spawns a server as the leader of its own process group (it forks an extension host and file watchers), with
 * its output kept in memory, and waits until `healthPath` answers. `redact` hides a secret from the output.
 */
async function launchServerGroup(options: {
  args: string[];
  port: number;
  healthPath: string;
  env: NodeJS.ProcessEnv;
  redact?: string;
  signal?: AbortSignal;
}): Promise<VsCodeServer> {
  const origin = `http://127.0.0.1:${options.port}`;
  const child = spawn(process.execPath, options.args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env, EXTENSIONS_GALLERY: '{}' },
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const secret = options.redact;
  const shownOutput = (): string => (secret === undefined ? output : output.replaceAll(secret, '<connection token>'));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // The server leads its own process group, so it would outlive us: take it down on any process.exit
  // (Playwright's signal handling exits with 130), synchronously as 'exit' listeners must.
  const killOnExit = (): void => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);
  const server: VsCodeServer = {
    origin,
    port: options.port,
    output: shownOutput,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      // The extension host and watchers may outlive the leader for a moment; the group goes with it.
      killGroup(child, 'SIGKILL');
    },
  };
  try {
    await waitUntilHealthy(origin, options.healthPath, child, 30_000, options.signal);
  } catch (error) {
    await server.stop();
    throw new WorkbenchStartError(`the test VS Code server did not come up: ${String(error)}`, {
      cause: error,
      serverOutput: shownOutput(),
    });
  }
  return server;
}

/** The test harness's throwaway server: code-server with `auth: none` on a loopback port. */
export async function startServer(options: ServerOptions): Promise<VsCodeServer> {
  const port = await freeLoopbackPort();
  const configPath = join(options.scratchDir, 'config.yaml');
  await writeFile(configPath, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const untrusted = options.workspaceTrust === 'untrusted';
  await writeUserSettings(options.userDataDir, options.workspaceTrust, options.userSettings);
  const args = [
    codeServerEntry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--config',
    configPath,
    '--user-data-dir',
    options.userDataDir,
    '--extensions-dir',
    options.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    ...(untrusted ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
  ];
  return launchServerGroup({
    args,
    port,
    healthPath: '/healthz',
    env: options.env ?? {},
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** A server that refuses every request without its connection token. */
export interface SecuredVsCodeServer extends VsCodeServer {
  /** The secret; it goes into the URL a user opens and nowhere else. */
  readonly connectionToken: string;
}

/**
 * VS Code's own server (the one inside the code-server package) for a person to use: it refuses every HTTP
 * request, and every remote connection's handshake, that does not carry a random connection token. The token
 * reaches the server through a file readable by this user only, removed once the server has read it, so it
 * is not on any command line, in the environment or on disk; the server's own "Web UI available at" line,
 * which prints it, is never shown (`output()` redacts it).
 */
export async function startSecuredServer(options: Omit<ServerOptions, 'workspaceTrust'>): Promise<SecuredVsCodeServer> {
  const port = await freeLoopbackPort();
  const connectionToken = randomBytes(32).toString('base64url');
  // A person's session: the guided first run opens on the extension's first activation.
  // The profile is the person's: settings they changed in the workbench survive a restart.
  await writeUserSettings(
    options.userDataDir,
    'trusted',
    { 'workbench.welcomePage.walkthroughs.openOnInstall': true, ...options.userSettings },
    'keep',
  );
  const tokenDir = await mkdtemp(join(tmpdir(), 'speckit-token-'));
  const tokenFile = join(tokenDir, 'connection-token');
  try {
    await writeFile(tokenFile, connectionToken, { mode: 0o600 });
    const server = await launchServerGroup({
      args: [
        vscodeServerEntry,
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--connection-token-file',
        tokenFile,
        '--accept-server-license-terms',
        '--user-data-dir',
        options.userDataDir,
        '--server-data-dir',
        join(options.scratchDir, 'server-data'),
        '--extensions-dir',
        options.extensionsDir,
        '--telemetry-level',
        'off',
        '--disable-workspace-trust',
      ],
      port,
      // Answered without the token: the version is all it tells.
      healthPath: '/version',
      env: options.env ?? {},
      redact: connectionToken,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { ...server, connectionToken };
  } finally {
    // Read once at start-up; the server keeps it in memory.
    await rm(tokenDir, { recursive: true, force: true });
  }
}

export interface WorkbenchBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

export interface BrowserOptions {
  profileDir: string;
  /** The workbench calls this when the extension test module's `run()` settles (0 = passed). */
  onAutomationExit?: (code: number) => void;
  /** The workbench forwards log lines (the tests' console output among them) here. */
  onAutomationLog?: (level: string, message: string) => void;
  /**
   * Leave SIGINT/SIGTERM/SIGHUP to Playwright (close the browser, exit 130): true unless the caller
   * handles them itself and tears the workbench down in order.
   */
  handleSignals?: boolean;
}

export async function launchBrowser(options: BrowserOptions): Promise<WorkbenchBrowser> {
  let context: BrowserContext;
  try {
    // A persistent context is how Playwright takes a profile folder (`launch` refuses --user-data-dir).
    context = await chromium.launchPersistentContext(options.profileDir, {
      executablePath: chromiumPath,
      headless: true,
      handleSIGINT: options.handleSignals ?? true,
      handleSIGTERM: options.handleSignals ?? true,
      handleSIGHUP: options.handleSignals ?? true,
      viewport: { width: 1280, height: 800 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (error) {
    throw new WorkbenchStartError(`Chromium did not start (${chromiumPath})`, { cause: error });
  }
  const page = context.pages()[0] ?? (await context.newPage());
  // Exposed before any navigation: the workbench looks for them once, while it starts.
  const { onAutomationExit, onAutomationLog } = options;
  if (onAutomationExit) {
    await page.exposeFunction('codeAutomationExit', (code: unknown) =>
      onAutomationExit(typeof code === 'number' ? code : 1),
    );
  }
  if (onAutomationLog) {
    await page.exposeFunction('codeAutomationLog', (level: unknown, args: unknown) =>
      onAutomationLog(String(level), Array.isArray(args) ? format(...(args as unknown[])) : String(args)),
    );
  }
  return { context, page, close: () => context.close() };
}

export interface WorkbenchTarget {
  /** The folder to open. */
  folder: string;
  extensionDevelopmentPath: string;
  /** The compiled test index (exports `run()`); leave out for UI tests. */
  extensionTestsPath?: string;
}

/** The workbench URL; the payload is how the web workbench takes the desktop's --extension* flags. */
export function workbenchUrl(server: VsCodeServer | SecuredVsCodeServer, target: WorkbenchTarget): string {
  const remote = (path: string): string => `vscode-remote://127.0.0.1:${server.port}${path}`;
  const payload: [string, string][] = [['extensionDevelopmentPath', remote(target.extensionDevelopmentPath)]];
  if (target.extensionTestsPath !== undefined) payload.push(['extensionTestsPath', remote(target.extensionTestsPath)]);
  // The server trades `tkn` for a cookie and redirects to the same URL without it.
  const token = 'connectionToken' in server ? `tkn=${encodeURIComponent(server.connectionToken)}&` : '';
  return `${server.origin}/?${token}folder=${encodeURIComponent(target.folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export interface Workbench {
  readonly server: VsCodeServer;
  readonly browser: WorkbenchBrowser;
  readonly page: Page;
  /**
   * The last lines of what the extension logged in this workbench (its log output channel) and of the extension
   * host's own log, for a failure report: what the product said is often the cause a selector timeout hides.
   */
  extensionLogs(lines?: number): Promise<string>;
  /** Closes the browser, stops the server, removes the temporary profile folders. Safe to call twice. */
  close(): Promise<void>;
}

/** The server writes each session's logs under `<user data>/logs/<time>/exthost<N>/`, one file per channel. */
async function extensionHostLogs(userDataDir: string, lines: number): Promise<string> {
  const logsDir = join(userDataDir, 'logs');
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (/[\\/]exthost\d+[\\/]/.test(path) && /(Spec-Kit Agent Orchestra|remoteexthost)\.log$/.test(path))
        found.push(path);
    }
  };
  await walk(logsDir);
  if (found.length === 0) return `(no extension host log under ${logsDir})`;
  const parts = await Promise.all(
    found.sort().map(async (path) => {
      const text = await readFile(path, 'utf8').catch((error: unknown) => `(unreadable: ${String(error)})`);
      return `--- ${path.slice(logsDir.length + 1)} (last ${lines} lines)\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`;
    }),
  );
  return parts.join('\n');
}

export interface OpenWorkbenchOptions extends Omit<BrowserOptions, 'profileDir'>, WorkbenchTarget {
  /** User data and extensions folders; fresh temporary ones when left out. */
  userDataDir?: string;
  extensionsDir?: string;
  env?: NodeJS.ProcessEnv;
  workspaceTrust?: 'trusted' | 'untrusted';
  userSettings?: Readonly<Record<string, unknown>>;
  signal?: AbortSignal;
}

/**
 * Server + browser + navigation in one step, with everything torn down if any part fails or `signal`
 * aborts meanwhile; a failure after the server started carries its output.
 */
export async function openWorkbench(options: OpenWorkbenchOptions): Promise<Workbench> {
  const scratch = await mkdtemp(join(tmpdir(), 'speckit-workbench-'));
  const userDataDir = options.userDataDir ?? join(scratch, 'user-data');
  const extensionsDir = options.extensionsDir ?? join(scratch, 'extensions');
  await Promise.all([mkdir(userDataDir, { recursive: true }), mkdir(extensionsDir, { recursive: true })]);
  const cleanups: (() => Promise<void>)[] = [() => rm(scratch, { recursive: true, force: true })];
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      for (const cleanup of cleanups.reverse()) {
        await cleanup().catch((error: unknown) => console.error('workbench cleanup failed:', error));
      }
    })();
    return closed;
  };
  let server: VsCodeServer | undefined;
  try {
    const started = await startServer({
      userDataDir,
      extensionsDir,
      scratchDir: scratch,
      ...(options.env ? { env: options.env } : {}),
      ...(options.workspaceTrust ? { workspaceTrust: options.workspaceTrust } : {}),
      ...(options.userSettings ? { userSettings: options.userSettings } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    server = started;
    cleanups.push(() => started.stop());
    options.signal?.throwIfAborted();
    const browser = await launchBrowser({ ...options, profileDir: join(scratch, 'chromium-profile') });
    cleanups.push(() => browser.close());
    options.signal?.throwIfAborted();
    await browser.page.goto(workbenchUrl(server, options));
    const extensionLogs = (lines = 60): Promise<string> => extensionHostLogs(userDataDir, lines);
    return { server, browser, page: browser.page, extensionLogs, close };
  } catch (error) {
    await close();
    if (error instanceof WorkbenchStartError || server === undefined) throw error;
    throw new WorkbenchStartError(`the workbench did not open: ${String(error)}`, {
      cause: error,
      serverOutput: server.output(),
    });
  }
}
