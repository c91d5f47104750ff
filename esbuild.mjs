// One build script for every bundle: the extension (vscode external), the language server and the CLI.
// esbuild does not type-check; `npm run typecheck` (tsc --noEmit) is the type gate.
import { resolve } from 'node:path';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  sourcesContent: false,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

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

/**
 * The extension ships in three files so activation parses only what it runs: dist/extension.js, and two
 * parts it loads on first need — the engine glue (the first run) and the language client (the first
 * spec-kit document). Their imports in the extension's sources stay `import()` of the sibling file, emitted
 * as `require` (no ESM loader in between). Nothing else may import these two modules from the main part.
 */
const extensionDir = resolve('src/extension');
const lazyParts = { './engine-factory': './extension-engine.js', './language-client-start': './extension-lsp.js' };
const lazyPartsPlugin = {
  name: 'lazy-parts',
  setup(build) {
    build.onResolve({ filter: /^\.\/(engine-factory|language-client-start)$/ }, (args) => {
      if (args.resolveDir !== extensionDir) return undefined;
      if (args.kind !== 'dynamic-import')
        return {
          errors: [
            {
              text: `${args.path} is a lazily loaded part: import it with import(), not statically (from ${args.importer})`,
            },
          ],
        };
      return { path: lazyParts[args.path], external: true };
    });
  },
};

const bundles = [
  {
    entryPoints: { extension: 'src/extension/extension.ts' },
    external: ['vscode'],
    plugins: [lazyPartsPlugin],
    supported: { 'dynamic-import': false },
  },
  { entryPoints: { 'extension-engine': 'src/extension/engine-factory.ts' }, external: ['vscode'] },
  { entryPoints: { 'extension-lsp': 'src/extension/language-client-start.ts' }, external: ['vscode'] },
  { entryPoints: { cli: 'src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: { server: 'src/server/main.ts' } },
];

const contexts = await Promise.all(
  bundles.map(({ plugins = [], ...b }) =>
    esbuild.context({ ...common, ...b, outdir: 'dist', plugins: watch ? [...plugins, problemMatcher] : plugins }),
  ),
);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
