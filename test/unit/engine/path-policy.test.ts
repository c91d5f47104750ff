import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { GlobSet, globToRegExp } from '../../../src/core/engine/workspace/glob';
import {
  CompiledPathPolicy,
  normaliseRelative,
  resolveInWorkspace,
} from '../../../src/core/engine/workspace/path-policy';
import { tempProject } from './temp-dir';

test('glob syntax: star within a segment, globstar, braces, classes, unanchored names', () => {
  assert.ok(globToRegExp('*.md').test('docs/a/readme.md'));
  assert.ok(globToRegExp('*.md').test('readme.md'));
  assert.ok(!globToRegExp('/*.md').test('docs/readme.md'));
  assert.ok(globToRegExp('src/**/*.ts').test('src/a.ts'));
  assert.ok(globToRegExp('src/**/*.ts').test('src/a/b/c.ts'));
  assert.ok(!globToRegExp('src/*.ts').test('src/a/b.ts'));
  assert.ok(globToRegExp('*.{ts,js}').test('x.js'));
  assert.ok(globToRegExp('file[0-9].txt').test('file7.txt'));
  assert.ok(!globToRegExp('file[!0-9].txt').test('file7.txt'));
  assert.ok(globToRegExp('.env*').test('config/.env.local'));
  assert.ok(!globToRegExp('.env*').test('environment.ts'));
  assert.ok(new GlobSet(['docs/**']).matches('docs/guide/a.png'));
  assert.ok(new GlobSet(['.vscode']).matches('.vscode/settings.json'));
  assert.ok(!new GlobSet(['docs/**']).matches('src/docs.ts'));
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
  assert.deepEqual(normaliseRelative('a/./b/../c'), { kind: 'ok', rel: 'a/c' });
  assert.deepEqual(normaliseRelative('a\\b'), { kind: 'ok', rel: 'a/b' });
  assert.equal(normaliseRelative('  ').kind, 'refused');
  assert.deepEqual(normaliseRelative(''), { kind: 'ok', rel: '' });
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
