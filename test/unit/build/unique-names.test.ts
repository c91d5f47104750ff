// One name, one meaning: no two modules of src/ export the same name for different things. A newcomer who
// meets `Approver` or `UsageTotals` finds one definition. `register` is the exception by design: every
// extension feature exports its own (src/extension/*), and extension.ts imports them under their module's name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot, sourceFiles } from './source-files';

const SHARED_BY_DESIGN = new Set(['register']);

/** Names a module declares and exports itself (re-exports are the same thing under the same name). */
function exportedDeclarations(text: string): string[] {
  const declaration =
    /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:interface|type|class|function\*?|const|let|enum)\s+([A-Za-z_$][\w$]*)/gm;
  return [...text.matchAll(declaration)].map((match) => match[1] ?? '');
}

test('the scan finds declarations and leaves re-exports alone', () => {
  assert.deepEqual(
    exportedDeclarations(
      'export interface A {}\nexport type B = 1;\nexport async function c() {}\nexport { d } from "./d";\nconst e = 1;\n',
    ),
    ['A', 'B', 'c'],
  );
});

test('every name exported from src/ is declared in one module only', () => {
  const owners = new Map<string, string[]>();
  for (const file of sourceFiles(join(repoRoot, 'src'))) {
    for (const name of exportedDeclarations(readFileSync(file, 'utf8'))) {
      if (SHARED_BY_DESIGN.has(name)) continue;
      owners.set(name, [...(owners.get(name) ?? []), relative(repoRoot, file)]);
    }
  }
  const twice = [...owners]
    .filter(([, files]) => files.length > 1)
    .map(([name, files]) => `${name}: ${files.join(', ')}`);
  assert.deepEqual(twice, []);
});
