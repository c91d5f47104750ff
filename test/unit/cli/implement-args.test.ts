import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentProblem, IMPLEMENT_USAGE, parseImplementArgs } from '../../../src/cli/implement-args';
import { STOP_DEADLINE_MS, interruptHandler } from '../../../src/cli/interrupts';

test('defaults: run in the current folder, ask for every edit', () => {
  assert.deepEqual(parseImplementArgs([]), {
    action: { kind: 'run' },
    workspace: '.',
    approvalPolicy: 'ask',
    allowedCommands: [],
    allowChangedCommands: false,
    tasks: [],
    yes: false,
    help: false,
  });
});

test('every option', () => {
  const args = parseImplementArgs([
    '--workspace',
    'w',
    '--feature',
    '003',
    '--request',
    'add tags',
    '--approve',
    'tests',
    '--max-workers',
    '3',
    '--task',
    'T012',
    '--task',
    'T013,T012',
    '--yes',
    '--test-command',
    'npm run test -- --grep "a b"',
    '--allow-command',
    'test',
    '--allow-command',
    'build,test',
    '--allow-changed-commands',
    '--budget',
    '2.50',
    '--call-attempts',
    '3',
  ]);
  assert.deepEqual(args, {
    action: { kind: 'run' },
    workspace: 'w',
    feature: '003',
    request: 'add tags',
    approvalPolicy: 'auto-approve-tests',
    maxWorkers: 3,
    testCommand: ['npm', 'run', 'test', '--', '--grep', 'a b'],
    allowedCommands: ['test', 'build'],
    allowChangedCommands: true,
    budgetUsd: 2.5,
    callAttempts: 3,
    tasks: ['T012', 'T013'],
    yes: true,
    help: false,
  });
  assert.equal((parseImplementArgs(['--budget', '$0.05']) as { budgetUsd: number }).budgetUsd, 0.05);
  assert.equal(
    (parseImplementArgs(['--approve', 'all']) as { approvalPolicy: string }).approvalPolicy,
    'auto-approve-all',
  );
  assert.deepEqual((parseImplementArgs(['--task', 'T001', 'T002', '--dry-run', 'T003']) as { tasks: string[] }).tasks, [
    'T001',
    'T002',
    'T003',
  ]);
});

test('--resume and --rollback take an optional run id', () => {
  assert.deepEqual((parseImplementArgs(['--resume']) as { action: unknown }).action, { kind: 'resume' });
  assert.deepEqual((parseImplementArgs(['--resume', '--approve', 'all']) as { action: unknown }).action, {
    kind: 'resume',
  });
  assert.deepEqual((parseImplementArgs(['--resume', 'run-1']) as { action: unknown }).action, {
    kind: 'resume',
    runId: 'run-1',
  });
  assert.deepEqual((parseImplementArgs(['--rollback=run-2', '--task', 'T003']) as { action: unknown }).action, {
    kind: 'rollback',
    runId: 'run-2',
  });
  assert.deepEqual((parseImplementArgs(['--rollback']) as { action: unknown }).action, { kind: 'rollback' });
});

test('bad input is a problem, never a guess', () => {
  for (const argv of [
    ['--approve', 'sometimes'],
    ['--max-workers', '0'],
    ['--max-workers', '2.5'],
    ['--max-workers', 'many'],
    ['--call-attempts', '0'],
    ['--call-attempts', '21'],
    ['--call-attempts', 'forever'],
    ['--task', 'rm -rf'],
    ['--dry-run', '--resume'],
    ['--resume', '--rollback'],
    ['--rollback', '--task', 'T001', '--task', 'T002'],
    ['--resume', '--feature', '001'],
    ['--request', ' '],
    ['--frobnicate'],
    ['one', 'two'],
    ['--budget', '0'],
    ['--budget', 'lots'],
    ['--budget', '-1'],
    ['--test-command', 'npm test && rm -rf /'],
    ['--test-command', 'npm test | tee log'],
    ['--test-command', '"unbalanced'],
    ['--allow-command', 'npm test'],
    ['--converge', '-1'],
    ['--converge', 'many'],
    ['--converge', '11'],
  ]) {
    assert.ok(parseImplementArgs(argv) instanceof ArgumentProblem, argv.join(' '));
  }
  const shell = parseImplementArgs(['--test-command', 'npm test > out.txt']);
  assert.match(
    shell instanceof ArgumentProblem ? shell.message : '',
    /^--test-command: '>' needs a shell, and commands run without one/,
  );
});

test('the first Ctrl-C cancels and arms the deadline, the second exits at once with 130', () => {
  const controller = new AbortController();
  const exits: number[] = [];
  const deadlines: number[] = [];
  let written = '';
  const interrupt = interruptHandler(controller, {
    write: (s) => (written += s),
    exit: (code) => exits.push(code),
    after: (ms) => deadlines.push(ms),
  });
  interrupt('SIGINT');
  assert.ok(controller.signal.aborted);
  assert.deepEqual(exits, []);
  assert.deepEqual(deadlines, [STOP_DEADLINE_MS]);
  assert.ok(STOP_DEADLINE_MS < 2_000);
  assert.match(written, /Ctrl-C again/);
  interrupt('SIGINT');
  assert.deepEqual(exits, [130]);
});

test('SIGTERM cancels, and a cancel that does not finish in time exits with 143 at the deadline', () => {
  const controller = new AbortController();
  const exits: number[] = [];
  let fire: (() => void) | undefined;
  const interrupt = interruptHandler(controller, {
    write: () => undefined,
    exit: (code) => exits.push(code),
    after: (_ms, run) => (fire = run),
  });
  interrupt('SIGTERM');
  assert.ok(controller.signal.aborted);
  assert.deepEqual(exits, []);
  fire?.();
  assert.deepEqual(exits, [143]);
});

test('the feature may be given as a plain argument, before or after the options', () => {
  const featureOf = (argv: string[]) => {
    const parsed = parseImplementArgs(argv);
    assert.ok(!(parsed instanceof ArgumentProblem), parsed instanceof ArgumentProblem ? parsed.message : '');
    return { feature: parsed.feature, tasks: parsed.tasks };
  };
  assert.deepEqual(featureOf(['payment-integration']), { feature: 'payment-integration', tasks: [] });
  assert.deepEqual(featureOf(['--approve', 'all', '003']), { feature: '003', tasks: [] });
  assert.deepEqual(featureOf(['003', '--task', 'T001', 'T002']), { feature: '003', tasks: ['T001', 'T002'] });
  assert.deepEqual(featureOf(['--task', 'T001', 'T002,T003', 'payment']), {
    feature: 'payment',
    tasks: ['T001', 'T002', 'T003'],
  });
  assert.deepEqual(featureOf(['--feature', '003', '003']), { feature: '003', tasks: [] });
  for (const argv of [
    ['003', '004'],
    ['--feature', '003', '004'],
    ['--resume', 'r1', '003'],
  ]) {
    assert.ok(parseImplementArgs(argv) instanceof ArgumentProblem, argv.join(' '));
  }
});

test('--converge takes a number of rounds from 0 to 10', () => {
  assert.equal((parseImplementArgs(['--converge', '0']) as { convergeRounds?: number }).convergeRounds, 0);
  assert.equal((parseImplementArgs(['--converge', '3']) as { convergeRounds?: number }).convergeRounds, 3);
  assert.equal((parseImplementArgs([]) as { convergeRounds?: number }).convergeRounds, undefined);
});

test('--help names the flag that runs a command the run changed, and says --yes does not', () => {
  assert.match(
    IMPLEMENT_USAGE,
    /--allow-changed-commands {2}run a command even after this run changed a file that defines it/,
  );
  assert.match(
    IMPLEMENT_USAGE,
    /-y, --yes .*\n.*not to a command whose defining file the run changed \(--allow-changed-commands\)/,
  );
});

test('--completion-reviews takes a number of reviews from 1 to 10, as the setting does, and --help says so', () => {
  const reviewsOf = (argv: string[]) => (parseImplementArgs(argv) as { completionReviews?: number }).completionReviews;
  assert.equal(reviewsOf(['--completion-reviews', '1']), 1);
  assert.equal(reviewsOf(['--completion-reviews', '10']), 10);
  assert.equal(reviewsOf([]), undefined);
  for (const bad of ['0', '11', 'two', '1.5']) {
    const problem = parseImplementArgs(['--completion-reviews', bad]);
    assert.ok(problem instanceof ArgumentProblem);
    assert.match(problem.message, /^--completion-reviews must be a whole number from 1 to 10/);
  }
  assert.match(IMPLEMENT_USAGE, /\[--completion-reviews N\]/);
  assert.match(IMPLEMENT_USAGE, /--completion-reviews N {2}how many reviews one worker's claims get/);
});

test('--model: one id for every role, ROLE=ID for one (it wins, as a per-role setting does), orchestrator for both', () => {
  const modelsOf = (argv: string[]) =>
    (parseImplementArgs(argv) as { modelByRole?: Record<string, string> }).modelByRole;
  assert.equal(modelsOf([]), undefined);
  assert.deepEqual(modelsOf(['--model', 'claude-haiku-5-5', '--model', 'reviewer=claude-opus-5-5']), {
    'task-orchestrator': 'claude-haiku-5-5',
    'implementation-orchestrator': 'claude-haiku-5-5',
    'code-writer': 'claude-haiku-5-5',
    'test-writer': 'claude-haiku-5-5',
    documenter: 'claude-haiku-5-5',
    reviewer: 'claude-opus-5-5',
    'bug-fixer': 'claude-haiku-5-5',
  });
  // The order does not matter: the role's own choice wins either way.
  assert.deepEqual(
    modelsOf(['--model', 'reviewer=claude-opus-5-5', '--model', 'claude-haiku-5-5']),
    modelsOf(['--model', 'claude-haiku-5-5', '--model', 'reviewer=claude-opus-5-5']),
  );
  assert.deepEqual(modelsOf(['--model', 'orchestrator=claude-sonnet-5-5']), {
    'task-orchestrator': 'claude-sonnet-5-5',
    'implementation-orchestrator': 'claude-sonnet-5-5',
  });
  assert.deepEqual(modelsOf(['--model', 'claude-haiku-4-5-20251001']), {
    'task-orchestrator': 'claude-haiku-4-5-20251001',
    'implementation-orchestrator': 'claude-haiku-4-5-20251001',
    'code-writer': 'claude-haiku-4-5-20251001',
    'test-writer': 'claude-haiku-4-5-20251001',
    documenter: 'claude-haiku-4-5-20251001',
    reviewer: 'claude-haiku-4-5-20251001',
    'bug-fixer': 'claude-haiku-4-5-20251001',
  });
});

test('--model refuses an unknown id or role with the known ones listed, before anything runs', () => {
  const unknownId = parseImplementArgs(['--model', 'claude-haiku-9']);
  assert.ok(unknownId instanceof ArgumentProblem);
  assert.match(unknownId.message, /^--model: unknown model 'claude-haiku-9'; known models: .*claude-haiku-5-5/);
  const unknownRole = parseImplementArgs(['--model', 'coder=claude-haiku-5-5']);
  assert.ok(unknownRole instanceof ArgumentProblem);
  assert.match(
    unknownRole.message,
    /^--model: unknown role 'coder'; roles: orchestrator, task-orchestrator, .*bug-fixer$/,
  );
  const twice = parseImplementArgs(['--model', 'claude-haiku-5-5', '--model', 'claude-opus-5-5']);
  assert.ok(twice instanceof ArgumentProblem);
  assert.match(twice.message, /given twice for every role/);
  assert.match(IMPLEMENT_USAGE, /\[--model \[ROLE=\]ID\]\.\.\./);
});
