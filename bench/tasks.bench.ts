// Parses a generated 10,000-task tasks.md (parse + graph) against markdown-it tokenising the same text, and ticks
// one task through the file-level writer. Targets: ratio ≤ 1.0×, tick < 5 ms.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { parseTasks } from '../src/core/speckit/tasks-parser';
import { taskRefOf, writeTaskDone } from '../src/core/speckit/tasks-writer';
import { buildTaskGraph } from '../src/core/graph/task-graph';

const TASKS = 10_000;
const PER_PHASE = 250;
const RUNS = 15;
const WARMUP = 5;

export function generate(): string {
  const out: string[] = ['# Tasks: Generated benchmark feature', '', '**Input**: Design documents from `/specs/001-bench/`', ''];
  for (let i = 1; i <= TASKS; i += 1) {
    if ((i - 1) % PER_PHASE === 0) {
      const phase = (i - 1) / PER_PHASE + 1;
      const story = phase > 2 ? phase - 2 : undefined;
      out.push('', story === undefined ? `## Phase ${phase}: Foundations ${phase}` : `## Phase ${phase}: User Story ${story} - Feature ${story} (Priority: P${(story % 3) + 1})`, '');
      out.push(`**Goal**: Deliver slice ${phase}`, '', story === undefined ? '### Implementation' : `### Tests for User Story ${story}`, '');
    }
    const phase = Math.floor((i - 1) / PER_PHASE) + 1;
    const story = phase > 2 ? ` [US${phase - 2}]` : '';
    const parallel = i % 5 !== 0 ? ' [P]' : '';
    const id = `T${String(i).padStart(5, '0')}`;
    const mark = i % 3 === 0 ? 'X' : ' ';
    const dep = i % 17 === 0 ? ` (depends on T${String(i - 3).padStart(5, '0')})` : '';
    out.push(`- [${mark}] ${id}${parallel}${story} Implement component ${i} in src/module${phase}/component-${i}.ts${dep}`);
    if (i % 7 === 0) out.push(`  - Acceptance: covers \`tests/unit/component-${i}.test.ts\``);
  }
  out.push('', '## Dependencies & Execution Order', '');
  for (let p = 1; p < TASKS / PER_PHASE; p += 1) {
    const from = (p - 1) * PER_PHASE + 1;
    out.push(`- Tests (T${String(from).padStart(5, '0')}-T${String(from + 9).padStart(5, '0')}) before implementation (T${String(from + 10).padStart(5, '0')}-T${String(from + 40).padStart(5, '0')})`);
  }
  out.push('', '## Parallel Example: User Story 1', '', '```bash', '- [ ] T00001 [P] inside a fence', '```', '');
  return out.join('\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

export async function run(): Promise<void> {
  const text = generate();
  const md = new MarkdownIt();
  let tasks = 0;
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i += 1) {
    // Alternate which goes first so neither always gets the warmer cache.
    const a = time(() => {
      const doc = parseTasks(text);
      tasks = doc.tasks.length;
      buildTaskGraph(doc).criticalPath();
    });
    const b = time(() => md.parse(text, {}));
    if (i >= WARMUP) {
      ours.push(a);
      theirs.push(b);
    }
  }
  const oursMs = median(ours);
  const theirsMs = median(theirs);
  console.log(`document: ${tasks} tasks, ${(text.length / 1024).toFixed(0)} KiB`);
  console.log(`parse + graph: ${oursMs.toFixed(2)} ms   markdown-it tokenise: ${theirsMs.toFixed(2)} ms   ratio ${(oursMs / theirsMs).toFixed(2)}×   (target ≤ 1.00×)`);

  const dir = await mkdtemp(path.join(tmpdir(), 'tasks-bench-'));
  try {
    const file = path.join(dir, 'tasks.md');
    await writeFile(file, text);
    const doc = parseTasks(text);
    const target = doc.tasks[Math.floor(doc.tasks.length * 0.9)];
    if (target === undefined) throw new Error('generated document has no tasks');
    const ref = taskRefOf(target);
    const signal = new AbortController().signal;
    const ticks: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i += 1) {
      const start = performance.now();
      const result = await writeTaskDone(file, ref, i % 2 === 0 ? !target.done : target.done, signal);
      const elapsed = performance.now() - start;
      if (!result.ok) throw new Error(`tick refused: ${result.reason}`);
      if (i >= WARMUP) ticks.push(elapsed);
    }
    const tickMs = median(ticks);
    console.log(`tick one task (re-read, locate, atomic write with fsync): ${tickMs.toFixed(2)} ms   ratio to target ${(tickMs / 5).toFixed(2)}×   (target < 5 ms)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
