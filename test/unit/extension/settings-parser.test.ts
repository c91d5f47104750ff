import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engineSettingsOf } from '../../../src/extension/engine-settings';
import {
  DEFAULT_SETTINGS,
  describeSettingsProblems,
  KEYS_APPLIED_AT_RUN_START,
  parseSettings,
} from '../../../src/extension/settings-parser';

const reader = (values: Record<string, unknown>) => (key: string) => values[key];

test('defaults when nothing is set', () => {
  const { settings, problems } = parseSettings(reader({}));
  assert.deepEqual(settings, {
    ...DEFAULT_SETTINGS,
    models: {},
    testCommand: [],
    budgetPerRoleUsd: {},
    prices: {},
    denyList: ['.env*'],
  });
  assert.deepEqual(problems, []);
});

test('valid values are typed and kept', () => {
  const { settings, problems } = parseSettings(
    reader({
      provider: 'vscode-lm',
      'model.codeWriter': ' claude-sonnet-4-5 ',
      maxParallelWorkers: 6,
      storyParallelism: 'off',
      approvalPolicy: 'auto-approve-tests',
      bugFixerAttempts: 0,
      modelCallAttempts: 2,
      testCommand: 'npm run test -- "a b"',
      budgetPerRun: 2.5,
      denyList: ['.env*', 'secrets/**'],
      'anthropic.baseUrl': 'http://127.0.0.1:4010',
    }),
  );
  assert.deepEqual(problems, []);
  assert.equal(settings.provider, 'vscode-lm');
  assert.deepEqual(settings.models, { codeWriter: 'claude-sonnet-4-5' });
  assert.equal(settings.maxParallelWorkers, 6);
  assert.equal(settings.storyParallelism, 'off');
  assert.equal(settings.approvalPolicy, 'auto-approve-tests');
  assert.equal(settings.bugFixerAttempts, 0);
  assert.equal(settings.modelCallAttempts, 2);
  assert.deepEqual(settings.testCommand, ['npm', 'run', 'test', '--', 'a b']);
  assert.equal(settings.budgetPerRunUsd, 2.5);
  assert.deepEqual(settings.denyList, ['.env*', 'secrets/**']);
  assert.equal(settings.anthropicBaseUrl, 'http://127.0.0.1:4010');
});

test('invalid values fall back to defaults and are reported per key', () => {
  const { settings, problems } = parseSettings(
    reader({
      provider: 'openai',
      maxParallelWorkers: 0,
      storyParallelism: 'sometimes',
      modelCallAttempts: 0,
      approvalPolicy: 7,
      budgetPerRun: -1,
      denyList: 'x',
      'anthropic.baseUrl': 'ftp://x',
      testCommand: 'npm "test',
      'model.reviewer': 'has space',
    }),
  );
  assert.equal(settings.provider, 'anthropic');
  assert.equal(settings.maxParallelWorkers, DEFAULT_SETTINGS.maxParallelWorkers);
  assert.equal(settings.storyParallelism, 'auto');
  assert.equal(settings.modelCallAttempts, DEFAULT_SETTINGS.modelCallAttempts);
  assert.equal(settings.approvalPolicy, 'ask');
  assert.equal(settings.budgetPerRunUsd, undefined);
  assert.deepEqual(settings.denyList, ['.env*']);
  assert.equal(settings.anthropicBaseUrl, undefined);
  assert.deepEqual(settings.testCommand, []);
  assert.deepEqual(problems.map((p) => p.key).sort(), [
    'anthropic.baseUrl',
    'approvalPolicy',
    'budgetPerRun',
    'denyList',
    'maxParallelWorkers',
    'model.reviewer',
    'modelCallAttempts',
    'provider',
    'storyParallelism',
    'testCommand',
  ]);
});

test('a zero budget means no budget; the base URL falls back to ANTHROPIC_BASE_URL', () => {
  const { settings } = parseSettings(reader({ budgetPerRun: 0 }), { ANTHROPIC_BASE_URL: 'http://localhost:9' });
  assert.equal(settings.budgetPerRunUsd, undefined);
  assert.equal(settings.anthropicBaseUrl, 'http://localhost:9');
});

test('the test command groups quotes; blank means none; unbalanced quotes and shell syntax are refused with the reason', () => {
  const testCommandOf = (value: string) => parseSettings((key) => (key === 'testCommand' ? value : undefined));
  assert.deepEqual(testCommandOf('node --test \'test dir/x.js\' ""').settings.testCommand, [
    'node',
    '--test',
    'test dir/x.js',
    '',
  ]);
  assert.deepEqual(testCommandOf('   '), {
    settings: {
      ...DEFAULT_SETTINGS,
      models: {},
      testCommand: [],
      budgetPerRoleUsd: {},
      prices: {},
      denyList: ['.env*'],
    },
    problems: [],
  });
  const unbalanced = testCommandOf("echo 'x");
  assert.deepEqual(unbalanced.settings.testCommand, []);
  assert.match(unbalanced.problems[0]?.message ?? '', /unbalanced ' quote; no test command will run/);
  const piped = testCommandOf('npm test | tee out.txt');
  assert.deepEqual(piped.settings.testCommand, []);
  assert.deepEqual(
    piped.problems.map((p) => p.key),
    ['testCommand'],
  );
  assert.match(piped.problems[0]?.message ?? '', /'\|' needs a shell/);
  assert.match(
    describeSettingsProblems(piped.problems),
    /^Spec-Kit Orchestra ignored an invalid setting \(defaults apply\): speckitOrchestra\.testCommand: '\|' needs a shell/,
  );
});

test('per-role budgets and prices are read by the engine parsers and reach the engine settings', () => {
  const { settings, problems } = parseSettings(
    reader({
      budgetPerRole: { reviewer: 0.5, documenter: 0 },
      prices: { 'my-model': { inputPerMTok: 2, outputPerMTok: 8, cacheReadPerMTok: 0.1 } },
    }),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(settings.budgetPerRoleUsd, { reviewer: 0.5, documenter: 0 });
  assert.deepEqual(settings.prices, {
    'my-model': {
      inputPerMTok: 2,
      outputPerMTok: 8,
      cacheWrite5mPerMTok: 2.5,
      cacheWrite1hPerMTok: 4,
      cacheReadPerMTok: 0.1,
    },
  });
  const engine = engineSettingsOf(settings);
  assert.deepEqual(engine.budgetPerRoleUsd, { reviewer: 0.5, documenter: 0 });
  assert.deepEqual(engine.prices, settings.prices);
  assert.ok(KEYS_APPLIED_AT_RUN_START.includes('budgetPerRole') && KEYS_APPLIED_AT_RUN_START.includes('prices'));
});

test('with no per-role budgets or prices set, the engine settings carry none (the engine defaults apply)', () => {
  const engine = engineSettingsOf(parseSettings(reader({})).settings);
  assert.equal('budgetPerRoleUsd' in engine, false);
  assert.equal('prices' in engine, false);
});

test('bad per-role budgets and prices keep the good entries and make one warning naming both keys', () => {
  const { settings, problems } = parseSettings(
    reader({
      budgetPerRole: { reviewer: 1, reviewr: 2, 'code-writer': -3 },
      prices: { good: { inputPerMTok: 1, outputPerMTok: 2 }, bad: { inputPerMTok: 1 }, worse: 'cheap' },
    }),
  );
  assert.deepEqual(settings.budgetPerRoleUsd, { reviewer: 1 });
  assert.deepEqual(Object.keys(settings.prices), ['good']);
  assert.deepEqual(
    problems.map((p) => p.key),
    ['budgetPerRole', 'prices'],
  );
  assert.match(problems[0]?.message ?? '', /reviewr: not a role/);
  assert.match(problems[0]?.message ?? '', /code-writer: the budget must be a non-negative amount/);
  assert.match(problems[1]?.message ?? '', /bad: inputPerMTok and outputPerMTok must be non-negative numbers/);
  assert.match(problems[1]?.message ?? '', /worse: not an object/);
  const warning = describeSettingsProblems(problems);
  assert.match(warning, /^Spec-Kit Orchestra ignored 2 invalid settings/);
  assert.match(warning, /speckitOrchestra\.budgetPerRole: .*reviewr/);
  assert.match(warning, /speckitOrchestra\.prices: .*bad:/);
  const notObjects = parseSettings(reader({ budgetPerRole: [1], prices: 3 })).problems;
  assert.deepEqual(
    notObjects.map((p) => p.key),
    ['budgetPerRole', 'prices'],
  );
});

test('detectTestCommand is on by default, read as a boolean, and anything else is reported', () => {
  assert.equal(parseSettings(() => undefined).settings.detectTestCommand, true);
  assert.equal(
    parseSettings((key) => (key === 'detectTestCommand' ? false : undefined)).settings.detectTestCommand,
    false,
  );
  const { settings, problems } = parseSettings((key) => (key === 'detectTestCommand' ? 'no' : undefined));
  assert.equal(settings.detectTestCommand, true);
  assert.deepEqual(
    problems.map((p) => p.key),
    ['detectTestCommand'],
  );
});
