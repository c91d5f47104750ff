// `npm run package` hands README.md and CHANGELOG.md to vsce, which refuses a relative Markdown link when the
// manifest names no repository to rewrite it against (even inside a code span). vsce's own Markdown step runs here
// on both files, so such a link fails a unit test rather than the packaging of a release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..', '..', '..');

interface MarkdownStep {
  processFile(file: { path: string; localPath: string }): Promise<unknown>;
}
type MarkdownStepClass = new (manifest: unknown, options: Record<string, never>) => MarkdownStep;

// vsce's packaging steps are not part of its public API (`out/api.js`); this is the module `vsce package` runs.
const vscePackage = createRequire(join(repoRoot, 'package.json'))('@vscode/vsce/out/package') as {
  ReadmeProcessor: MarkdownStepClass;
  ChangelogProcessor: MarkdownStepClass;
};

const manifest: unknown = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

for (const [name, Step] of [
  ['README.md', vscePackage.ReadmeProcessor],
  ['CHANGELOG.md', vscePackage.ChangelogProcessor],
] as const) {
  test(`${name} passes vsce's Markdown step as \`npm run package\` runs it`, { timeout: 20_000 }, async () => {
    await new Step(manifest, {}).processFile({
      path: `extension/${name.toLowerCase()}`,
      localPath: join(repoRoot, name),
    });
  });
}

test(
  "a relative link is what vsce's Markdown step refuses (this test's check can fail)",
  { timeout: 20_000 },
  async () => {
    const step = new vscePackage.ReadmeProcessor(manifest, {});
    const broken = join(repoRoot, 'test', 'fixtures', 'vsix', 'relative-link.md');
    await assert.rejects(step.processFile({ path: 'extension/readme.md', localPath: broken }), /will be broken/);
  },
);
