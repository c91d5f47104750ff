// Measures activation in the real extension host for bench/extension.bench.ts (which sets
// SPECKIT_BENCH_OUT); under `npm run test:host` it only checks that the numbers exist. No timed assertion.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as vscode from 'vscode';
import packageJson from '../../../../package.json';
import type { OrchestraApi } from '../../../../src/extension/extension';
import { waitFor } from '../../wait';

suite('activation measurements', () => {
  test("activate reports its own duration; the bundle's load time is measured by re-requiring it", async () => {
    const extension = vscode.extensions.getExtension<OrchestraApi | undefined>(
      `${packageJson.publisher}.${packageJson.name}`,
    );
    assert.ok(extension);
    const api = await waitFor('activation', () => (extension.isActive ? extension.exports : undefined), 20_000);
    assert.ok(api && typeof api.activateMs === 'number');
    // A fresh evaluation of dist/extension.js in this host's Node: parse + top-level code of the bundle.
    // Evaluating the bundle again is the point here, so it is loaded by path, not imported.
    const load = createRequire(__filename);
    // V8 caches compiled code by source within a process: the first load of a file is the cold one.
    const loadMs = (path: string): { cold: number; median: number } => {
      const bundle = load.resolve(path);
      const loads: number[] = [];
      for (let i = 0; i < 5; i++) {
        delete load.cache[bundle];
        const started = performance.now();
        load(bundle);
        loads.push(performance.now() - started);
      }
      const cold = loads[0] ?? Number.NaN;
      loads.sort((a, b) => a - b);
      return { cold, median: loads[Math.floor(loads.length / 2)] ?? Number.NaN };
    };
    // VS Code loaded this very file already, so even the first load here is warm: report the median.
    const bundleLoadMs = loadMs(`${extension.extensionPath}/dist/extension.js`).median;
    assert.ok(bundleLoadMs > 0);
    // The bench hands over a copy of the production (minified) bundle, which is what a .vsix ships.
    const production = process.env['SPECKIT_BENCH_PRODUCTION_BUNDLE'];
    const out = process.env['SPECKIT_BENCH_OUT'];
    if (out)
      writeFileSync(
        out,
        JSON.stringify({
          activateMs: api.activateMs,
          bundleLoadMs,
          productionLoadMs: production ? loadMs(production).cold : undefined,
        }),
      );
  });
});
