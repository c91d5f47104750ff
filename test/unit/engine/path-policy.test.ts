import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GlobSet,
  InvalidGlobError,
  MAX_UNTRUSTED_GLOB_LENGTH,
  compileGlob,
  compileUntrustedGlob,
} from '../../../src/core/engine/workspace/glob';
import {
  CompiledPathPolicy,
  normaliseRelative,
  resolveInWorkspace,
} from '../../../src/core/engine/workspace/path-policy';
import { tempProject } from './temp-dir';

test('glob syntax: star within a segment, globstar, braces, classes, unanchored names', () => {
  for (const compile of [compileGlob, compileUntrustedGlob]) {
    const glob = (pattern: string) => compile(pattern);
    assert.ok(glob('*.md')('docs/a/readme.md'));
    assert.ok(glob('*.md')('readme.md'));
    assert.ok(!glob('/*.md')('docs/readme.md'));
    assert.ok(glob('/*.md')('readme.md'));
    assert.ok(glob('src/**/*.ts')('src/a.ts'));
    assert.ok(glob('src/**/*.ts')('src/a/b/c.ts'));
    assert.ok(!glob('src/*.ts')('src/a/b.ts'));
    assert.ok(glob('*.{ts,js}')('x.js'));
    assert.ok(glob('file[0-9].txt')('file7.txt'));
    assert.ok(!glob('file[!0-9].txt')('file7.txt'));
    assert.ok(glob('file[!0-9].txt')('filex.txt'));
    assert.ok(glob('.env*')('config/.env.local'));
    assert.ok(!glob('.env*')('environment.ts'));
    assert.ok(glob('docs/')('docs'));
  }
  assert.ok(compileGlob('.ENV*', { caseInsensitive: true })('a/.env'));
  assert.ok(compileUntrustedGlob('.ENV*', { caseInsensitive: true })('a/.env'));
  assert.ok(new GlobSet(['docs/**']).matches('docs/guide/a.png'));
  assert.ok(new GlobSet(['.vscode']).matches('.vscode/settings.json'));
  assert.ok(!new GlobSet(['docs/**']).matches('src/docs.ts'));
});

test("a model's glob runs in linear time; one it cannot run is an InvalidGlobError, not a crash", () => {
  // picomatch's own RegExp takes minutes on this; RE2 answers at once.
  const hostile = compileUntrustedGlob('*a*a*a*a*a*a*a*a*a*a*a*a*c');
  assert.equal(hostile('a'.repeat(255)), false);
  assert.equal(hostile('x/' + 'a'.repeat(250) + 'c'), true);
  assert.throws(() => compileUntrustedGlob('!(a)*.ts'), InvalidGlobError);
  assert.throws(() => compileUntrustedGlob('x'.repeat(MAX_UNTRUSTED_GLOB_LENGTH + 1)), InvalidGlobError);
  assert.throws(() => compileUntrustedGlob('/'), InvalidGlobError);
  assert.throws(() => new GlobSet(['/'], { untrusted: true }), InvalidGlobError);
});

test('normaliseRelative refuses absolute paths of every flavour and climbing out', () => {
  for (const input of ['/etc/passwd', 'C:\\Windows\\win.ini', 'c:foo', '\\\\server\\share\\x', '//server/share']) {
    const result = normaliseRelative(input);
    assert.equal(result.kind, 'refused', input);
    assert.equal(result.kind === 'refused' && result.code, 'absolute', input);
  }
  assert.deepEqual(normaliseRelative('../x'), {
    kind: 'refused',
    code: 'escape',
    path: '../x',
    reason: '"../x" leads outside the workspace folder.',
  });
  assert.equal(normaliseRelative('a/../../x').kind, 'refused');
  assert.deepEqual(normaliseRelative('a/./b/../c'), { kind: 'ok', rel: 'a/c', namesFolder: false });
  assert.deepEqual(normaliseRelative('a\\b'), { kind: 'ok', rel: 'a/b', namesFolder: false });
  assert.equal(normaliseRelative('  ').kind, 'refused');
  assert.deepEqual(normaliseRelative(''), { kind: 'ok', rel: '', namesFolder: false });
});

test('resolveInWorkspace: .git anywhere, the deny list and protected paths', async () => {
  const root = await tempProject({ 'src/a.ts': '', '.env': 'SECRET=1' });
  const code = async (input: string, purpose: 'read' | 'write'): Promise<string> => {
    const r = await resolveInWorkspace(root, input, purpose);
    return r.kind === 'refused' ? r.code : 'ok';
  };
  assert.equal(await code('src/a.ts', 'read'), 'ok');
  assert.equal(await code('src/a.ts', 'write'), 'ok');
  assert.equal(await code('.git/config', 'read'), 'git');
  assert.equal(await code('sub/.git/HEAD', 'read'), 'git');
  assert.equal(await code('.GIT/config', 'read'), 'git');
  assert.equal(await code('.env', 'read'), 'denied');
  assert.equal(await code('app/.env.production', 'read'), 'denied');
  assert.equal(await code('.ENV', 'read'), 'denied');
  assert.equal(await code('.specify/orchestra/runs/x/journal.jsonl', 'read'), 'denied');
  assert.equal(await code('.specify/memory/constitution.md', 'read'), 'ok');
  for (const p of [
    '.specify/memory/constitution.md',
    '.vscode/settings.json',
    '.claude/agents/x.md',
    'package-lock.json',
    'web/yarn.lock',
    'go.sum',
    'Cargo.lock',
    'poetry.lock',
    'pnpm-lock.yaml',
  ]) {
    assert.equal(await code(p, 'write'), 'protected', p);
    assert.equal(await code(p, 'read'), 'ok', p);
  }
  assert.equal(await code('.', 'write'), 'root');
  const custom = new CompiledPathPolicy({ deny: ['secrets/**'], protectedForWrite: [] });
  assert.equal((await resolveInWorkspace(root, 'secrets/k.pem', 'read', custom)).kind, 'refused');
  assert.equal((await resolveInWorkspace(root, '.env', 'read', custom)).kind, 'resolved');
});

test('resolveInWorkspace: symlinks leading out (file, folder, parent of a new file) are refused, links inside are fine', async () => {
  const outside = await tempProject({ 'secret.txt': 'x' });
  const root = await tempProject({ 'src/a.ts': 'a', '.env': 'S=1' });
  await symlink(join(outside, 'secret.txt'), join(root, 'link-file'));
  await symlink(outside, join(root, 'link-dir'));
  await symlink(join(root, 'src'), join(root, 'inner'));
  await symlink(join(root, '.env'), join(root, 'innocent.txt'));
  await mkdir(join(root, '.git'));
  await symlink(join(root, '.git'), join(root, 'vcs'));
  const code = async (input: string, purpose: 'read' | 'write' = 'read'): Promise<string> => {
    const r = await resolveInWorkspace(root, input, purpose);
    return r.kind === 'refused' ? r.code : 'ok';
  };
  assert.equal(await code('link-file'), 'symlink-escape');
  assert.equal(await code('link-dir/secret.txt'), 'symlink-escape');
  assert.equal(await code('link-dir/new/file.txt', 'write'), 'symlink-escape');
  assert.equal(await code('inner/a.ts'), 'ok');
  assert.equal(await code('inner/new.ts', 'write'), 'ok');
  assert.equal(await code('innocent.txt'), 'denied');
  assert.equal(await code('vcs/config'), 'git');
});

test('one spelling per path: slashes, dots and trailing slashes fold; names other systems alias are refused', () => {
  for (const spelling of ['a/b.md', './a/b.md', 'a//b.md', 'a/./b.md', 'a/x/../b.md', 'a\\b.md'])
    assert.deepEqual(normaliseRelative(spelling), { kind: 'ok', rel: 'a/b.md', namesFolder: false }, spelling);
  assert.deepEqual(normaliseRelative('a/b.md/'), { kind: 'ok', rel: 'a/b.md', namesFolder: true });
  assert.deepEqual(normaliseRelative('a/b.md/.'), { kind: 'ok', rel: 'a/b.md', namesFolder: true });
  const code = (input: string) => {
    const r = normaliseRelative(input);
    return r.kind === 'refused' ? r.code : 'ok';
  };
  assert.equal(code('a/b.md.'), 'malformed');
  assert.equal(code('a/b.md '), 'malformed');
  assert.equal(code('a/b.md::$DATA'), 'malformed');
  assert.equal(code('a/b\nc.md'), 'malformed');
  assert.equal(code(`${'x'.repeat(256)}.md`), 'too-long');
  assert.equal(code(`${'é'.repeat(128)}`), 'too-long', 'bytes, not characters');
  assert.equal(code('d/'.repeat(2100)), 'too-long');
});

test('tool folders are protected at every level, and the engine state is denied at every level', async () => {
  const root = await tempProject({ 'app/src/a.ts': '' });
  const code = async (input: string, purpose: 'read' | 'write'): Promise<string> => {
    const r = await resolveInWorkspace(root, input, purpose);
    return r.kind === 'refused' ? r.code : 'ok';
  };
  for (const p of [
    'app/.specify/memory/constitution.md',
    'app/.claude/agents/code-writer.md',
    'apps/web/.claude/commands/x.md',
    'app/.vscode/settings.json',
    'app/web/package-lock.json',
  ])
    assert.equal(await code(p, 'write'), 'protected', p);
  assert.equal(await code('app/.git/hooks/pre-commit', 'write'), 'git');
  assert.equal(await code('app/.specify/orchestra/runs/r/journal.jsonl', 'read'), 'denied');
  assert.equal(await code('app/.SPECIFY/Orchestra/x', 'read'), 'denied');
  assert.equal(await code('app/src/a.ts', 'write'), 'ok');
});

test('a write names a regular file: folders, FIFOs, trailing slashes and link loops are refused, not thrown', async () => {
  const root = await tempProject({ 'src/a.ts': '', 'docs/x.md': '' });
  execFileSync('mkfifo', [join(root, 'src/fifo')]);
  await symlink('loop2', join(root, 'loop1'));
  await symlink('loop1', join(root, 'loop2'));
  const code = async (input: string, purpose: 'read' | 'write' = 'write'): Promise<string> => {
    const r = await resolveInWorkspace(root, input, purpose);
    return r.kind === 'refused' ? r.code : 'ok';
  };
  assert.equal(await code('docs'), 'not-a-file');
  assert.equal(await code('src/a.ts/'), 'not-a-file');
  assert.equal(await code('src/fifo'), 'not-a-file');
  assert.equal(await code('loop1'), 'symlink-loop');
  assert.equal(await code('loop1/x.ts'), 'symlink-loop');
  assert.equal(await code('loop1', 'read'), 'symlink-loop');
  assert.equal(await code('src/new.ts'), 'ok');
  const resolved = await resolveInWorkspace(root, 'src//a.ts', 'write');
  assert.deepEqual(resolved.kind === 'resolved' && [resolved.rel, resolved.realRel], ['src/a.ts', 'src/a.ts']);
});
