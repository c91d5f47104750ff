import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectProjectCommands, parseCommandLine } from '../../../../src/core/engine';
import { never, tempProject } from '../temp-dir';

const cases: [string, Record<string, string>, Record<string, string[]>][] = [
  [
    'npm test and build',
    { 'package.json': JSON.stringify({ scripts: { test: 'node --test', build: 'tsc' } }) },
    { test: ['npm', 'test'], build: ['npm', 'run', 'build'] },
  ],
  ['npm test only', { 'package.json': JSON.stringify({ scripts: { test: 'vitest run' } }) }, { test: ['npm', 'test'] }],
  [
    "npm init's placeholder test is no test; a Makefile's is",
    {
      'package.json': JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }),
      Makefile: 'build:\n\tcc a.c\n\ntest: build\n\t./a.out --self-test\n',
    },
    { test: ['make', 'test'] },
  ],
  ['pyproject.toml', { 'pyproject.toml': '[project]\nname = "x"\n' }, { test: ['python', '-m', 'pytest'] }],
  ['pytest.ini', { 'pytest.ini': '[pytest]\n' }, { test: ['python', '-m', 'pytest'] }],
  [
    'setup.cfg with [tool:pytest]',
    { 'setup.cfg': '[metadata]\nname = x\n\n[tool:pytest]\ntestpaths = tests\n' },
    { test: ['python', '-m', 'pytest'] },
  ],
  ['setup.cfg without pytest names nothing', { 'setup.cfg': '[metadata]\nname = x\n' }, {}],
  ['Cargo.toml', { 'Cargo.toml': '[package]\nname = "x"\n' }, { test: ['cargo', 'test'] }],
  ['go.mod', { 'go.mod': 'module example.com/x\n' }, { test: ['go', 'test', './...'] }],
  ['Makefile with a test target', { Makefile: 'all:\n\techo\ntest:\n\tgo vet\n' }, { test: ['make', 'test'] }],
  ['Makefile without one (a variable named test is no target)', { Makefile: 'test := 1\nall:\n\techo\n' }, {}],
  ['package.json that does not parse, and nothing else', { 'package.json': '{ "scripts": ' }, {}],
  ['nothing at all', {}, {}],
];

for (const [name, files, expected] of cases) {
  test(`detectProjectCommands: ${name}`, async () => {
    const root = await tempProject(files);
    const detected = await detectProjectCommands(root, never);
    assert.deepEqual(detected.commands, expected);
    assert.deepEqual(
      Object.keys(detected.sources).sort(),
      Object.keys(expected).sort(),
      'each command says where it came from',
    );
  });
}

test('detectProjectCommands: package.json wins over other markers, and says so', async () => {
  const root = await tempProject({
    'package.json': JSON.stringify({ scripts: { test: 'jest' } }),
    'pyproject.toml': '',
    Makefile: 'test:\n\ttrue\n',
  });
  const detected = await detectProjectCommands(root, never);
  assert.deepEqual(detected.commands, { test: ['npm', 'test'] });
  assert.equal(detected.sources['test'], 'package.json scripts.test');
});

test('parseCommandLine: splits without a shell; quotes group', () => {
  assert.deepEqual(parseCommandLine('npm test'), { kind: 'ok', argv: ['npm', 'test'] });
  assert.deepEqual(parseCommandLine('  npm  run test -- --grep "a b" \'c d\' '), {
    kind: 'ok',
    argv: ['npm', 'run', 'test', '--', '--grep', 'a b', 'c d'],
  });
  assert.deepEqual(parseCommandLine('pytest -k "not slow" ""'), { kind: 'ok', argv: ['pytest', '-k', 'not slow', ''] });
});

test('parseCommandLine: shell syntax is refused with the reason, never passed on as text', () => {
  for (const line of [
    'npm test && rm -rf /',
    'npm test | tee log',
    'npm test > out.txt',
    'npm test; echo',
    'echo $HOME',
    'echo `id`',
    'pytest tests/*.py',
    'echo "$HOME"',
    'npm test &',
    'a\nb',
  ]) {
    const parsed = parseCommandLine(line);
    assert.equal(parsed.kind, 'refused', line);
    assert.match(parsed.kind === 'refused' ? parsed.reason : '', /shell/, line);
  }
  assert.deepEqual(
    parseCommandLine("echo '$HOME && *'"),
    { kind: 'ok', argv: ['echo', '$HOME && *'] },
    'single quotes make it literal, as a shell would',
  );
  assert.match(JSON.stringify(parseCommandLine('npm "test')), /unbalanced/);
  assert.match(JSON.stringify(parseCommandLine('   ')), /empty/);
});
