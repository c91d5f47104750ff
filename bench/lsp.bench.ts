// The language server on a 5,000-task tasks.md: time from an edit (didChange, one character) to the
// published diagnostics of that version, over a real LSP connection in process, against a plain parse of the
// same text in the same run. Targets: ratio ≤ 3× and under 100 ms.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTasks } from '../src/core/speckit/tasks-parser';
import { largeSpecMarkdown, largeTasksMarkdown } from '../test/fixtures/lsp/large-tasks';
import { fileUri, LspTestClient } from '../test/unit/server/lsp-test-client';

const TASKS = 5_000;
const RUNS = 30;
const WARMUP = 5;
const TARGET_RATIO = 3;
const TARGET_MS = 100;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function run(): Promise<void> {
  const text = largeTasksMarkdown(TASKS);
  const lines = text.split('\n');
  // The edit point: a letter in the description of a task in the middle of the file.
  const line = lines.findIndex((l) => l.includes(`T${String(TASKS / 2).padStart(4, '0')} `));
  const character = (lines[line] ?? '').indexOf('Implement') + 1;

  const project = mkdtempSync(join(tmpdir(), 'speckit-lsp-bench-'));
  const folder = join(project, 'specs', '001-large');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'spec.md'), largeSpecMarkdown());
  const uri = fileUri(join(folder, 'tasks.md'));
  const client = await LspTestClient.start(project);
  try {
    await client.open(uri, text);
    const first = await client.diagnostics(uri, { version: 1, deadlineMs: 30_000 });

    const parse: number[] = [];
    const publish: number[] = [];
    let current = text;
    for (let i = 0; i < WARMUP + RUNS; i += 1) {
      const letter = i % 2 === 0 ? 'x' : 'm';
      const start = performance.now();
      const version = await client.change(uri, [
        { range: { start: { line, character }, end: { line, character: character + 1 } }, text: letter },
      ]);
      await client.diagnostics(uri, { version, deadlineMs: 30_000 });
      const published = performance.now() - start;

      const lineStart = current.split('\n', line).join('\n').length + 1;
      current = current.slice(0, lineStart + character) + letter + current.slice(lineStart + character + 1);
      const parseStart = performance.now();
      parseTasks(current);
      const parsed = performance.now() - parseStart;
      if (i >= WARMUP) {
        publish.push(published);
        parse.push(parsed);
      }
    }
    const edit = median(publish);
    const plain = median(parse);
    const ratio = edit / plain;
    console.log(
      `tasks.md with ${TASKS} tasks, ${text.length} characters; ${first.length} diagnostics (a well-formed file: expect 0)`,
    );
    console.log(`plain parseTasks:                      median ${plain.toFixed(1)} ms over ${RUNS} runs`);
    console.log(`didChange → publishDiagnostics (LSP):  median ${edit.toFixed(1)} ms over ${RUNS} runs`);
    console.log(`ratio ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO}×) ${ratio <= TARGET_RATIO ? 'ok' : 'MISSED'}`);
    console.log(
      `edit to diagnostics ${edit.toFixed(1)} ms (target < ${TARGET_MS} ms) ${edit < TARGET_MS ? 'ok' : 'MISSED'}`,
    );
  } finally {
    await client.dispose();
    rmSync(project, { recursive: true, force: true });
  }
}
