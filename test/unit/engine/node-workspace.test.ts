import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { access, readFile, readdir, rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { GitignoreMatcher } from '../../../src/core/engine/workspace/gitignore';
import { NodeWorkspace } from '../../../src/core/engine/workspace/node-workspace';
import { never, tempProject } from './temp-dir';

test('gitignore rules: comments, negation, dir-only, anchored, globstar, nested files', async () => {
  const files: Record<string, string> = {
    '.gitignore': '# build output\ndist/\n*.log\n!keep.log\n/root-only.txt\nlogs/**/*.tmp\n\\#hash\n',
    'pkg/.gitignore': 'generated\n!important.log\n',
  };
  const matcher = new GitignoreMatcher(async (rel) => files[rel]);
  const ignored = (p: string, dir = false): Promise<boolean> => matcher.isIgnored(p, dir);
  assert.equal(await ignored('dist', true), true);
  assert.equal(await ignored('dist/a.js'), true);
  assert.equal(await ignored('dist'), false, 'dir-only rule does not match a file');
  assert.equal(await ignored('a/b/error.log'), true);
  assert.equal(await ignored('keep.log'), false);
  assert.equal(await ignored('root-only.txt'), true);
  assert.equal(await ignored('sub/root-only.txt'), false);
  assert.equal(await ignored('logs/x/y/z.tmp'), true);
  assert.equal(await ignored('#hash'), true);
  assert.equal(await ignored('pkg/generated/x.ts'), true);
  assert.equal(await ignored('generated/x.ts'), false, 'nested rules apply below their folder only');
  assert.equal(await ignored('pkg/important.log'), false, 'a deeper negation wins');
  const blank = new GitignoreMatcher(async () => '\n# c\n   \n');
  assert.equal(await blank.isIgnored('a/b.ts', false), false, 'comments and blank lines ignore nothing');
  assert.equal(await ignored('dist/sub/x.js'), true);
  assert.equal(
    await matcher.isIgnored('dist/keep.log', false),
    true,
    'no negation re-includes a file in an ignored folder',
  );
});

test('read: text, missing, binary, too large, refused', async () => {
  const root = await tempProject({ 'a.txt': 'hello', 'big.txt': 'x'.repeat(100), '.env': 'K=1' });
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(root, 'img.bin'), Buffer.from([1, 0, 2]));
  const ws = new NodeWorkspace(root, { maxReadBytes: 50 });
  assert.deepEqual(await ws.read('a.txt', never), { kind: 'text', rel: 'a.txt', text: 'hello', size: 5 });
  assert.equal((await ws.read('nope.txt', never)).kind, 'not-found');
  assert.equal((await ws.read('img.bin', never)).kind, 'binary');
  assert.equal((await ws.read('big.txt', never)).kind, 'too-large');
  assert.equal((await ws.read('.', never)).kind, 'not-a-file');
  assert.equal((await ws.read('../x', never)).kind, 'refused');
  assert.equal((await ws.read('.env', never)).kind, 'refused');
});

test('list: bounded, breadth first, skips .git, denied and ignored entries, does not follow links out', async () => {
  const outside = await tempProject({ 'leak.txt': 'x' });
  const root = await tempProject({
    '.gitignore': 'node_modules/\n',
    'src/a.ts': '',
    'src/deep/b.ts': '',
    'node_modules/x/index.js': '',
    '.git/HEAD': '',
    '.env.local': '',
    'README.md': '',
  });
  await symlink(outside, join(root, 'out'));
  const ws = new NodeWorkspace(root);
  const all = await ws.list('', { recursive: true, maxEntries: 100 }, never);
  assert.equal(all.kind, 'listed');
  assert.deepEqual(all.kind === 'listed' && all.entries.map((e) => `${e.type[0]} ${e.path}`), [
    'f .gitignore',
    'f README.md',
    'd src',
    'f src/a.ts',
    'd src/deep',
    'f src/deep/b.ts',
  ]);
  const top = await ws.list('', { recursive: false, maxEntries: 2 }, never);
  assert.equal(top.kind === 'listed' && top.truncated, true);
  assert.equal(top.kind === 'listed' && top.entries.length, 2);
  assert.equal((await ws.list('src/a.ts', { recursive: false, maxEntries: 5 }, never)).kind, 'not-a-directory');
});

test('search: literal and regex, glob filter, .gitignore, binary and big files skipped, bounded', async () => {
  const root = await tempProject({
    '.gitignore': 'dist\n',
    'src/a.ts': 'const TODO = 1;\n// todo: later\n',
    'src/b.js': 'TODO in js\n',
    'dist/out.ts': 'TODO ignored\n',
    'big.ts': `TODO ${'x'.repeat(200)}\n`,
  });
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(root, 'src/bin.ts'), Buffer.from('TODO\0binary'));
  const ws = new NodeWorkspace(root, { maxSearchFileBytes: 100 });
  const base = { regex: false, caseSensitive: true, under: '', maxResults: 10 } as const;
  const literal = await ws.search({ ...base, pattern: 'TODO' }, never);
  assert.equal(literal.kind, 'matches');
  if (literal.kind !== 'matches') return;
  assert.deepEqual(
    literal.matches.map((m) => `${m.path}:${m.line}`),
    ['src/a.ts:1', 'src/b.js:1'],
  );
  assert.equal(literal.filesSkipped, 2);
  const insensitive = await ws.search({ ...base, pattern: 'todo', caseSensitive: false, glob: '*.ts' }, never);
  assert.deepEqual(insensitive.kind === 'matches' && insensitive.matches.map((m) => `${m.path}:${m.line}`), [
    'src/a.ts:1',
    'src/a.ts:2',
  ]);
  const regex = await ws.search({ ...base, pattern: '^//\\s*todo', regex: true }, never);
  assert.deepEqual(regex.kind === 'matches' && regex.matches.map((m) => m.text), ['// todo: later']);
  const bounded = await ws.search({ ...base, pattern: 'o', maxResults: 1 }, never);
  assert.equal(bounded.kind === 'matches' && bounded.truncated, true);
  assert.equal((await ws.search({ ...base, pattern: '(', regex: true }, never)).kind, 'invalid-pattern');
});

test('writeAtomic and delete: create parents, refuse protected paths, report missing files', async () => {
  const root = await tempProject({ 'package-lock.json': '{}' });
  const ws = new NodeWorkspace(root);
  assert.deepEqual(await ws.writeAtomic('src/new/file.ts', 'x', never), { kind: 'written', rel: 'src/new/file.ts' });
  assert.equal(await readFile(join(root, 'src/new/file.ts'), 'utf8'), 'x');
  assert.deepEqual(await readdir(join(root, 'src/new')), ['file.ts']);
  assert.equal((await ws.writeAtomic('package-lock.json', '', never)).kind, 'refused');
  assert.equal((await ws.delete('package-lock.json', never)).kind, 'refused');
  assert.equal((await ws.delete('src/new/file.ts', never)).kind, 'deleted');
  assert.equal((await ws.delete('src/new/file.ts', never)).kind, 'not-found');
});

test('search: a catastrophic regex runs in linear time (RE2), and RE2-only syntax is explained', async () => {
  const root = await tempProject({ 'a.txt': `${'a'.repeat(50_000)}b\n${'a'.repeat(30)}\n` });
  const ws = new NodeWorkspace(root);
  const base = { regex: true, caseSensitive: true, under: '', maxResults: 10 } as const;
  const started = performance.now();
  const found = await ws.search({ ...base, pattern: '(a+)+$' }, never);
  assert.ok(performance.now() - started < 5_000, 'a backtracking engine would take far longer than the test');
  assert.deepEqual(found.kind === 'matches' && found.matches.map((m) => m.line), [2]);
  const lookbehind = await ws.search({ ...base, pattern: '(?<=a)b\\1' }, never);
  assert.equal(lookbehind.kind, 'invalid-pattern');
  assert.match(lookbehind.kind === 'invalid-pattern' ? lookbehind.message : '', /RE2 syntax/);
});

test('walks are bounded in entries and depth, skip special files and unreadable folders, and say they were cut', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 30; i++) files[`many/f${String(i).padStart(2, '0')}.txt`] = 'hit\n';
  files[`${'d/'.repeat(10)}deep.txt`] = 'hit\n';
  const root = await tempProject(files);
  execFileSync('mkfifo', [join(root, 'many/pipe.txt')]);
  const ws = new NodeWorkspace(root, { maxWalkEntries: 20, maxWalkDepth: 4 });
  const listed = await ws.list('', { recursive: true, maxEntries: 1000 }, never);
  assert.equal(listed.kind === 'listed' && listed.truncated, true);
  const deep = await new NodeWorkspace(root, { maxWalkDepth: 4 }).list(
    'd',
    { recursive: true, maxEntries: 1000 },
    never,
  );
  assert.equal(deep.kind === 'listed' && deep.truncated, true);
  assert.ok(deep.kind === 'listed' && deep.entries.every((e) => e.path.split('/').length <= 5));
  const everything = new NodeWorkspace(root);
  const all = await everything.list('many', { recursive: false, maxEntries: 1000 }, never);
  assert.ok(all.kind === 'listed' && !all.entries.some((e) => e.path.endsWith('pipe.txt')), 'FIFOs are left out');
  const found = await everything.search(
    { pattern: 'hit', regex: false, caseSensitive: true, under: 'many', maxResults: 100 },
    never,
  );
  assert.equal(found.kind === 'matches' && found.matches.length, 30, 'the search finished past the FIFO');
  assert.equal((await everything.read('many/pipe.txt', never)).kind, 'not-a-file');
  assert.equal((await everything.stat('many/pipe.txt', never)).kind, 'special');
});

test('a workspace folder swapped for a symbolic link during a run leads nowhere: paths stay in the folder it was', async () => {
  const outside = await tempProject({ 'secret.txt': 'outside', 'src/a.ts': 'outside' });
  const root = await tempProject({ 'src/a.ts': 'inside' });
  const workspace = new NodeWorkspace(root);
  assert.deepEqual(await workspace.read('src/a.ts', never), { kind: 'text', rel: 'src/a.ts', text: 'inside', size: 6 });
  // The folder the run was started in is moved away and a link to another place takes its name.
  await rename(root, `${root}-moved`);
  await symlink(outside, root);
  const refused = async (outcome: Promise<{ kind: string; code?: string }>): Promise<string | undefined> => {
    const settled = await outcome;
    return settled.kind === 'refused' ? settled.code : settled.kind;
  };
  assert.equal(await refused(workspace.read('secret.txt', never)), 'symlink-escape');
  assert.equal(await refused(workspace.read('src/a.ts', never)), 'symlink-escape');
  assert.equal(await refused(workspace.writeAtomic('src/a.ts', 'x', never)), 'symlink-escape');
  assert.equal(await refused(workspace.writeAtomic('new.ts', 'x', never)), 'symlink-escape');
  assert.equal(await refused(workspace.delete('secret.txt', never)), 'symlink-escape');
  assert.equal(await readFile(join(outside, 'src/a.ts'), 'utf8'), 'outside');
  assert.equal(await readFile(join(outside, 'secret.txt'), 'utf8'), 'outside');
  await assert.rejects(access(join(outside, 'new.ts')));
  // A workspace opened on the link now is a workspace there: the link is its folder.
  assert.equal(await refused(new NodeWorkspace(root).read('secret.txt', never)), 'text');
});
