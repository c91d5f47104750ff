// What `npm run build` makes (esbuild.mjs) and what the tests build fresh from the same definitions, so a test
// of a bundle's shape or of the CLI as a process cannot drift from what ships.
import { resolve } from 'node:path';

/** @type {import('esbuild').BuildOptions} */
export const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
};

/**
 * A face ships in several files so it parses only what it runs: a small main part and parts it loads on first
 * need. In the sources a part is `import()` of the sibling module, emitted as `require` of the part's file (no
 * ESM loader in between). A static import of a part would pull it back into the main part: that is an error.
 * `parts` maps the module specifier, as written in `dir`, to the part's file name.
 */
export function lazyPartsPlugin(dir, parts) {
  const absoluteDir = resolve(dir);
  const names = Object.keys(parts).map((p) => p.replace(/^\.\//, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const filter = new RegExp(`^\\./(${names.join('|')})$`);
  return {
    name: `lazy-parts:${dir}`,
    setup(build) {
      build.onResolve({ filter }, (args) => {
        if (args.resolveDir !== absoluteDir) return undefined;
        if (args.kind !== 'dynamic-import')
          return {
            errors: [
              {
                text: `${args.path} is a lazily loaded part: import it with import(), not statically (from ${args.importer})`,
              },
            ],
          };
        return { path: `./${parts[args.path]}`, external: true };
      });
    },
  };
}

/**
 * The extension: dist/extension.js, and two parts — the engine glue (the first run) and the language client
 * (the first spec-kit document). Nothing else may import these two modules from the main part.
 */
const extensionParts = { './engine-factory': 'extension-engine.js', './language-client-start': 'extension-lsp.js' };

/**
 * The CLI: dist/cli.js starts like a small tool (`tasks` parses one file with the light facade); the engine,
 * the model SDK and zod load only when `implement` runs, from dist/cli-implement.js; the diff library only
 * when `verify` runs, from dist/cli-verify.js. Shipped minified: the CLI
 * runs straight from dist, and a smaller file parses faster at every start.
 */
const cliParts = { './implement-command': 'cli-implement.js', './verify-command': 'cli-verify.js' };

/**
 * Every bundle, with the face it belongs to. `outdir` is relative; the parts sit beside their main file.
 * @type {Array<import('esbuild').BuildOptions & { face: 'extension' | 'cli' | 'server' }>}
 */
export const bundles = [
  {
    face: 'extension',
    entryPoints: { extension: 'src/extension/extension.ts' },
    external: ['vscode'],
    plugins: [lazyPartsPlugin('src/extension', extensionParts)],
    supported: { 'dynamic-import': false },
  },
  { face: 'extension', entryPoints: { 'extension-engine': 'src/extension/engine-factory.ts' }, external: ['vscode'] },
  {
    face: 'extension',
    entryPoints: { 'extension-lsp': 'src/extension/language-client-start.ts' },
    external: ['vscode'],
  },
  {
    face: 'cli',
    entryPoints: { cli: 'src/cli/main.ts' },
    banner: { js: '#!/usr/bin/env node' },
    plugins: [lazyPartsPlugin('src/cli', cliParts)],
    supported: { 'dynamic-import': false },
    minify: true,
  },
  { face: 'cli', entryPoints: { 'cli-implement': 'src/cli/implement-command.ts' }, minify: true },
  { face: 'cli', entryPoints: { 'cli-verify': 'src/cli/verify-command.ts' }, minify: true },
  { face: 'server', entryPoints: { server: 'src/server/main.ts' } },
];

/** Options for esbuild, one per bundle of the face(s) asked for, writing into `outdir`. */
export function buildOptions({ outdir, faces, production = false, extraPlugins = [] }) {
  return bundles
    .filter((b) => faces === undefined || faces.includes(b.face))
    .map(({ face: _face, plugins = [], minify, ...b }) => ({
      ...common,
      ...b,
      minify: production || minify === true,
      outdir,
      plugins: [...plugins, ...extraPlugins],
    }));
}
