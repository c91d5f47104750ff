// The light facade: the full one would pull the whole engine into the activation bundle (dist/extension.js).
import {
  DEFAULT_MODEL_CALL_ATTEMPTS,
  DEFAULT_MODELS,
  MAX_MODEL_CALL_ATTEMPTS,
  parseCommandLine,
  parsePriceTable,
  parseRoleBudgets,
  type ModelPrice,
  type StoryParallelismSetting,
} from '../core/engine/light';
import type { ApprovalPolicy, WorkerRole } from '../protocol/engine-events';

/**
 * Settings parsing, kept free of `vscode` so unit tests run it in plain Node; `config.ts` is the one place
 * that reads settings. Raw values are `unknown` (users edit settings.json by hand), so each
 * key goes through a small parser with a default; what the rest of the extension sees is a typed,
 * validated `OrchestraSettings` plus the problems found, never a raw value.
 */

export const CONFIG_SECTION = 'speckitOrchestra';

export type ProviderId = 'anthropic' | 'vscode-lm';

export const MODEL_ROLES = ['orchestrator', 'codeWriter', 'testWriter', 'documenter', 'reviewer', 'bugFixer'] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

/** Which engine role each model setting covers (the orchestrator setting serves both orchestrators). */
export const MODEL_ROLE_FOR_WORKER: Record<WorkerRole, ModelRole> = {
  'task-orchestrator': 'orchestrator',
  'implementation-orchestrator': 'orchestrator',
  'code-writer': 'codeWriter',
  'test-writer': 'testWriter',
  documenter: 'documenter',
  reviewer: 'reviewer',
  'bug-fixer': 'bugFixer',
};

export interface OrchestraSettings {
  provider: ProviderId;
  /** Model id per role; undefined = the engine's default for that role's tier. */
  models: Partial<Record<ModelRole, string>>;
  maxParallelWorkers: number;
  /** `auto`: user-story phases run side by side where tasks.md says they can; `off`: phases in order. */
  storyParallelism: StoryParallelismSetting;
  approvalPolicy: ApprovalPolicy;
  bugFixerAttempts: number;
  /** Most bug-fixer rounds after validation on missing requirements and failing tests; 0 = none. */
  convergeRounds: number;
  /** Sends of one model call in all, the first included, whatever failed: the one bound on retries. */
  modelCallAttempts: number;
  /** argv of the project's test command (run without a shell); empty = none configured. */
  testCommand: string[];
  /** With no test command configured: use the one the project's files name (package.json, pytest, cargo, go, make). */
  detectTestCommand: boolean;
  /** US dollars; undefined = no budget. */
  budgetPerRunUsd?: number;
  /** US dollars per engine role; a role left out has no budget of its own (the run's still applies). */
  budgetPerRoleUsd: Partial<Record<WorkerRole, number>>;
  /** Prices per model id, per million tokens, replacing the built-in list prices for those models. */
  prices: Record<string, ModelPrice>;
  /** Globs of paths agents may neither read nor write. */
  denyList: string[];
  /** Anthropic API base URL; undefined = the SDK default (or ANTHROPIC_BASE_URL). */
  anthropicBaseUrl?: string;
  /** What one worker may do at once: tool calls per model turn, characters per tool result, KiB per proposal. */
  limits: { toolCallsPerTurn: number; toolResultChars: number; proposalKiB: number; completionReviews: number };
}

export interface SettingsProblem {
  key: string;
  message: string;
}

export const DEFAULT_SETTINGS: Readonly<OrchestraSettings> = {
  provider: 'anthropic',
  models: {},
  maxParallelWorkers: 3,
  storyParallelism: 'auto',
  approvalPolicy: 'ask',
  bugFixerAttempts: 2,
  convergeRounds: 1,
  modelCallAttempts: DEFAULT_MODEL_CALL_ATTEMPTS,
  testCommand: [],
  detectTestCommand: true,
  budgetPerRoleUsd: {},
  prices: {},
  denyList: ['.env*'],
  limits: { toolCallsPerTurn: 16, toolResultChars: 100_000, proposalKiB: 1024, completionReviews: 2 },
};

/**
 * Keys a running run took a copy of when it started: changing them mid-run cannot half-apply, so the user
 * is told the change applies to the next run.
 */
export const KEYS_APPLIED_AT_RUN_START: readonly string[] = [
  'provider',
  ...MODEL_ROLES.map((role) => `model.${role}`),
  'maxParallelWorkers',
  'storyParallelism',
  'approvalPolicy',
  'bugFixerAttempts',
  'convergeRounds',
  'modelCallAttempts',
  'testCommand',
  'detectTestCommand',
  'budgetPerRun',
  'budgetPerRole',
  'prices',
  'denyList',
  'anthropic.baseUrl',
  'limits.toolCallsPerTurn',
  'limits.toolResultChars',
  'limits.proposalKiB',
  'limits.completionReviews',
];

/** Reads a value by key; the VS Code implementation wraps `WorkspaceConfiguration.get`. */
export type RawSettingsReader = (key: string) => unknown;

type Complain = (key: string, message: string) => void;

/** Pure: raw values in, typed settings and problems out. Unit-testable without a VS Code host. */
export function parseSettings(
  read: RawSettingsReader,
  env: Readonly<Record<string, string | undefined>> = {},
): {
  settings: OrchestraSettings;
  problems: SettingsProblem[];
} {
  const problems: SettingsProblem[] = [];
  const complain: Complain = (key, message) => {
    problems.push({ key, message });
  };
  const settings: OrchestraSettings = {
    ...workerSettings(read, complain),
    models: modelsOf(read, complain),
    testCommand: testCommandOf(read, complain),
    detectTestCommand: DEFAULT_SETTINGS.detectTestCommand,
    budgetPerRoleUsd: {},
    prices: {},
    denyList: denyListOf(read, complain),
    limits: limitsOf(read, complain),
  };
  const detect = read('detectTestCommand');
  if (typeof detect === 'boolean') settings.detectTestCommand = detect;
  else if (detect !== undefined && detect !== null) complain('detectTestCommand', 'expected true or false');
  Object.assign(settings, moneyOf(read, complain));
  const anthropicBaseUrl = baseUrlOf(read, env, complain);
  if (anthropicBaseUrl !== undefined) settings.anthropicBaseUrl = anthropicBaseUrl;
  return { settings, problems };
}

function workerSettings(
  read: RawSettingsReader,
  complain: Complain,
): Pick<
  OrchestraSettings,
  | 'provider'
  | 'maxParallelWorkers'
  | 'storyParallelism'
  | 'approvalPolicy'
  | 'bugFixerAttempts'
  | 'convergeRounds'
  | 'modelCallAttempts'
> {
  return {
    provider: oneOf(read('provider'), ['anthropic', 'vscode-lm'] as const, DEFAULT_SETTINGS.provider, (m) =>
      complain('provider', m),
    ),
    maxParallelWorkers: integerIn(read('maxParallelWorkers'), 1, 16, DEFAULT_SETTINGS.maxParallelWorkers, (m) =>
      complain('maxParallelWorkers', m),
    ),
    storyParallelism: oneOf(
      read('storyParallelism'),
      ['auto', 'off'] as const,
      DEFAULT_SETTINGS.storyParallelism,
      (m) => complain('storyParallelism', m),
    ),
    approvalPolicy: oneOf(
      read('approvalPolicy'),
      ['ask', 'auto-approve-tests', 'auto-approve-all'] as const,
      DEFAULT_SETTINGS.approvalPolicy,
      (m) => complain('approvalPolicy', m),
    ),
    bugFixerAttempts: integerIn(read('bugFixerAttempts'), 0, 10, DEFAULT_SETTINGS.bugFixerAttempts, (m) =>
      complain('bugFixerAttempts', m),
    ),
    convergeRounds: integerIn(read('convergeRounds'), 0, 10, DEFAULT_SETTINGS.convergeRounds, (m) =>
      complain('convergeRounds', m),
    ),
    modelCallAttempts: integerIn(
      read('modelCallAttempts'),
      1,
      MAX_MODEL_CALL_ATTEMPTS,
      DEFAULT_SETTINGS.modelCallAttempts,
      (m) => complain('modelCallAttempts', m),
    ),
  };
}

function limitsOf(read: RawSettingsReader, complain: Complain): OrchestraSettings['limits'] {
  const defaults = DEFAULT_SETTINGS.limits;
  return {
    toolCallsPerTurn: integerIn(read('limits.toolCallsPerTurn'), 1, 100, defaults.toolCallsPerTurn, (m) =>
      complain('limits.toolCallsPerTurn', m),
    ),
    toolResultChars: integerIn(read('limits.toolResultChars'), 1_000, 1_000_000, defaults.toolResultChars, (m) =>
      complain('limits.toolResultChars', m),
    ),
    proposalKiB: integerIn(read('limits.proposalKiB'), 1, 65_536, defaults.proposalKiB, (m) =>
      complain('limits.proposalKiB', m),
    ),
    completionReviews: integerIn(read('limits.completionReviews'), 1, 10, defaults.completionReviews, (m) =>
      complain('limits.completionReviews', m),
    ),
  };
}

function modelsOf(read: RawSettingsReader, complain: Complain): OrchestraSettings['models'] {
  const models: OrchestraSettings['models'] = {};
  for (const role of MODEL_ROLES) {
    const key = `model.${role}`;
    const value = read(key);
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'string' && /^[\w.:@/-]+$/.test(value.trim())) models[role] = value.trim();
    else complain(key, `expected a model id such as "${DEFAULT_MODELS['code-writer']}"; using the default`);
  }
  return models;
}

function testCommandOf(read: RawSettingsReader, complain: Complain): string[] {
  const testCommand = read('testCommand');
  if (typeof testCommand === 'string') {
    if (testCommand.trim() === '') return [];
    const parsed = parseCommandLine(testCommand);
    if (parsed.kind === 'ok') return parsed.argv;
    complain('testCommand', `${parsed.reason}; no test command will run`);
  } else if (testCommand !== undefined && testCommand !== null) {
    complain('testCommand', 'expected a string such as "npm test"');
  }
  return [];
}

/** The run's budget, the roles' budgets and the price overrides. */
function moneyOf(
  read: RawSettingsReader,
  complain: Complain,
): Pick<OrchestraSettings, 'budgetPerRunUsd' | 'budgetPerRoleUsd' | 'prices'> {
  const budget = read('budgetPerRun');
  let budgetPerRunUsd: number | undefined;
  if (typeof budget === 'number' && Number.isFinite(budget) && budget >= 0) {
    if (budget > 0) budgetPerRunUsd = budget;
  } else if (budget !== undefined && budget !== null) {
    complain('budgetPerRun', 'expected a number of US dollars ≥ 0 (0 = no budget)');
  }
  // The engine's own parsers: the CLI reads the same shapes, so both faces accept and refuse alike.
  const roleBudgets = parseRoleBudgets(read('budgetPerRole'));
  if (roleBudgets.problems.length > 0)
    complain('budgetPerRole', `${roleBudgets.problems.join('; ')}; those entries are ignored`);
  const priceTable = parsePriceTable(read('prices'));
  if (priceTable.problems.length > 0)
    complain('prices', `${priceTable.problems.join('; ')}; those models keep the built-in prices`);
  return {
    ...(budgetPerRunUsd !== undefined ? { budgetPerRunUsd } : {}),
    budgetPerRoleUsd: roleBudgets.budgets,
    prices: priceTable.prices,
  };
}

function denyListOf(read: RawSettingsReader, complain: Complain): string[] {
  const denyList = read('denyList');
  if (Array.isArray(denyList)) {
    const globs = denyList.filter((g): g is string => typeof g === 'string' && g.trim() !== '').map((g) => g.trim());
    if (globs.length !== denyList.length)
      complain('denyList', 'entries must be non-empty strings; others were ignored');
    return globs;
  }
  if (denyList !== undefined && denyList !== null) complain('denyList', 'expected a list of glob strings');
  return [...DEFAULT_SETTINGS.denyList];
}

function baseUrlOf(
  read: RawSettingsReader,
  env: Readonly<Record<string, string | undefined>>,
  complain: Complain,
): string | undefined {
  const baseUrl = read('anthropic.baseUrl');
  const baseUrlText = typeof baseUrl === 'string' && baseUrl.trim() !== '' ? baseUrl.trim() : env['ANTHROPIC_BASE_URL'];
  if (baseUrlText !== undefined && baseUrlText !== '') {
    if (isHttpUrl(baseUrlText)) return baseUrlText;
    complain('anthropic.baseUrl', `"${baseUrlText}" is not an http(s) URL; using the default endpoint`);
  } else if (baseUrl !== undefined && baseUrl !== null && typeof baseUrl !== 'string') {
    complain('anthropic.baseUrl', 'expected a URL string');
  }
  return undefined;
}

/**
 * One warning for all the problems of a read: each key with what is wrong, so the user can fix it without
 * opening the log.
 */
export function describeSettingsProblems(problems: readonly SettingsProblem[]): string {
  const details = problems.map((p) => `${CONFIG_SECTION}.${p.key}: ${p.message}`).join(' · ');
  return `Spec-Kit Orchestra ignored ${problems.length === 1 ? 'an invalid setting' : `${problems.length} invalid settings`} (defaults apply): ${details}`;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, complain: (m: string) => void): T {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  complain(`expected one of ${allowed.join(', ')}; using "${fallback}"`);
  return fallback;
}

function integerIn(value: unknown, min: number, max: number, fallback: number, complain: (m: string) => void): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  complain(`expected a whole number from ${min} to ${max}; using ${fallback}`);
  return fallback;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch (error) {
    void error; // not a URL: the caller reports it as a settings problem
    return false;
  }
}
