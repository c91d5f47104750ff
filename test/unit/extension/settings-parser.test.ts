import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SETTINGS, parseSettings, splitCommandLine } from '../../../src/extension/settings-parser';

const reader = (values: Record<string, unknown>) => (key: string) => values[key];

test('defaults when nothing is set', () => {
  const { settings, problems } = parseSettings(reader({}));
  assert.deepEqual(settings, { ...DEFAULT_SETTINGS, models: {}, testCommand: [], denyList: ['.env*'] });
  assert.deepEqual(problems, []);
});

test('valid values are typed and kept', () => {
  const { settings, problems } = parseSettings(
    reader({
      provider: 'vscode-lm',
      'model.codeWriter': ' claude-sonnet-4-5 ',
      maxParallelWorkers: 6,
      approvalPolicy: 'auto-approve-tests',
      bugFixerAttempts: 0,
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
  assert.equal(settings.approvalPolicy, 'auto-approve-tests');
  assert.equal(settings.bugFixerAttempts, 0);
  assert.deepEqual(settings.testCommand, ['npm', 'run', 'test', '--', 'a b']);
  assert.equal(settings.budgetPerRunUsd, 2.5);
  assert.deepEqual(settings.denyList, ['.env*', 'secrets/**']);
  assert.equal(settings.anthropicBaseUrl, 'http://127.0.0.1:4010');
});

test('invalid values fall back to defaults and are reported per key', () => {
  const { settings, problems } = parseSettings(
    reader({ provider: 'openai', maxParallelWorkers: 0, approvalPolicy: 7, budgetPerRun: -1, denyList: 'x', 'anthropic.baseUrl': 'ftp://x', testCommand: 'npm "test', 'model.reviewer': 'has space' }),
  );
  assert.equal(settings.provider, 'anthropic');
  assert.equal(settings.maxParallelWorkers, DEFAULT_SETTINGS.maxParallelWorkers);
  assert.equal(settings.approvalPolicy, 'ask');
  assert.equal(settings.budgetPerRunUsd, undefined);
  assert.deepEqual(settings.denyList, ['.env*']);
  assert.equal(settings.anthropicBaseUrl, undefined);
  assert.deepEqual(settings.testCommand, []);
  assert.deepEqual(
    problems.map((p) => p.key).sort(),
    ['anthropic.baseUrl', 'approvalPolicy', 'budgetPerRun', 'denyList', 'maxParallelWorkers', 'model.reviewer', 'provider', 'testCommand'],
  );
});

test('a zero budget means no budget; the base URL falls back to ANTHROPIC_BASE_URL', () => {
  const { settings } = parseSettings(reader({ budgetPerRun: 0 }), { ANTHROPIC_BASE_URL: 'http://localhost:9' });
  assert.equal(settings.budgetPerRunUsd, undefined);
  assert.equal(settings.anthropicBaseUrl, 'http://localhost:9');
});

test('splitCommandLine groups quotes and refuses unbalanced ones', () => {
  assert.deepEqual(splitCommandLine("node --test 'test dir/x.js' \"\""), ['node', '--test', 'test dir/x.js', '']);
  assert.deepEqual(splitCommandLine('   '), []);
  assert.equal(splitCommandLine("echo 'x"), undefined);
});

test('detectTestCommand is on by default, read as a boolean, and anything else is reported', () => {
  assert.equal(parseSettings(() => undefined).settings.detectTestCommand, true);
  assert.equal(parseSettings((key) => (key === 'detectTestCommand' ? false : undefined)).settings.detectTestCommand, false);
  const { settings, problems } = parseSettings((key) => (key === 'detectTestCommand' ? 'no' : undefined));
  assert.equal(settings.detectTestCommand, true);
  assert.deepEqual(problems.map((p) => p.key), ['detectTestCommand']);
});
