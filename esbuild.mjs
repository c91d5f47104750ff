// One build script for every bundle: the extension (vscode external), the language server and the CLI. The
// bundles themselves are defined in scripts/bundles.mjs, shared with the tests that build them fresh.
// esbuild does not type-check; `npm run typecheck` (tsc --noEmit) is the type gate.
import * as esbuild from 'esbuild';
import { buildOptions } from './scripts/bundles.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints start/end lines in the format of VS Code's esbuild problem matcher, so `watch` works in a task. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

const contexts = await Promise.all(
  buildOptions({ outdir: 'dist', production, extraPlugins: watch ? [problemMatcher] : [] }).map((options) =>
    esbuild.context(options),
  ),
);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
