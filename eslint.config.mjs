import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { layersPlugin } from './scripts/eslint-layers.mjs';

/**
 * zod's named `z` export is a namespace object the bundler must keep whole (every schema kind, every locale: 450 KB
 * minified in each bundle that validates anything); `import * as z from 'zod'` keeps only what is used (about 90 KB).
 */
const zodNamespaceOnly = {
  selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
  message: "Write `import * as z from 'zod'`: the named z keeps all of zod in the bundle.",
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.vscode-test/**',
      'media/**',
      'examples/**',
      'out/**',
      '**/*.mjs',
      '**/*.cjs',
      '**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  // Layout is prettier's (run by `npm run lint`); eslint keeps to correctness.
  prettier,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', zodNamespaceOnly] },
  },
  {
    // The core knows nothing of VS Code: unit tests import it directly and the CLI and server reuse it.
    files: ['src/core/**/*.ts', 'src/protocol/**/*.ts', 'src/server/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core, protocol, server and cli must stay vscode-free.' }],
        },
      ],
    },
  },
  {
    // The extension, the engine and the language server speak through their log channel (Logger, the
    // connection's console); only the CLI, whose channel is the terminal, writes to the console.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // Imports only point down: util/ports → speckit → graph, llm → agents → engine → faces (scripts/eslint-layers.mjs).
    files: ['src/**/*.ts'],
    plugins: { layers: layersPlugin(import.meta.dirname) },
    rules: { 'layers/imports-point-down': 'error' },
  },
);
