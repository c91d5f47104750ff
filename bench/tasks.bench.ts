// Parses a generated 10,000-task tasks.md (parse + graph) against markdown-it tokenising the same text, and ticks
// one task through the file-level writer. Targets: ratio ≤ 0.6×, tick < 5 ms. The tick is also timed step by
// step (read, locate + patch, atomic write) next to the disk's own fsync time, the floor no writer can beat.
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { parseTasks } from '../src/core/speckit/tasks-parser';
import { setTaskDoneInBytes, taskRefOf, writeTaskDone } from '../src/core/speckit/tasks-writer';
import { writeFileAtomic } from '../src/core/util/atomic-write';
import { buildTaskGraph } from '../src/core/graph/task-graph';

const TASKS = 10_000;
const PER_PHASE = 250;
const RUNS = 25;
const WARMUP = 10;

export function generate(): string {
  const out: string[] = [
    '# Tasks: Generated benchmark feature',
    '',
    '**Input**: Design documents from `/specs/001-bench/`',
    '',
  ];
  for (let i = 1; i <= TASKS; i += 1) {
    if ((i - 1) % PER_PHASE === 0) {
      const phase = (i - 1) / PER_PHASE + 1;
      const story = phase > 2 ? phase - 2 : undefined;
      out.push(
        '',
        story === undefined
          ? `## Phase ${phase}: Foundations ${phase}`
          : `## Phase ${phase}: User Story ${story} - Feature ${story} (Priority: P${(story % 3) + 1})`,
        '',
      );
      out.push(
        `**Goal**: Deliver slice ${phase}`,
        '',
        story === undefined ? '### Implementation' : `### Tests for User Story ${story}`,
        '',
      );
    }
    const phase = Math.floor((i - 1) / PER_PHASE) + 1;
    const story = phase > 2 ? ` [US${phase - 2}]` : '';
    const parallel = i % 5 !== 0 ? ' [P]' : '';
    const id = `T${String(i).padStart(5, '0')}`;
    const mark = i % 3 === 0 ? 'X' : ' ';
    const dep = i % 17 === 0 ? ` (depends on T${String(i - 3).padStart(5, '0')})` : '';
    out.push(
      `- [${mark}] ${id}${parallel}${story} Implement component ${i} in src/module${phase}/component-${i}.ts${dep}`,
    );
    if (i % 7 === 0) out.push(`  - Acceptance: covers \`tests/unit/component-${i}.test.ts\``);
  }
  out.push('', '## Dependencies & Execution Order', '');
  for (let p = 1; p < TASKS / PER_PHASE; p += 1) {
    const from = (p - 1) * PER_PHASE + 1;
    out.push(
      `- Tests (T${String(from).padStart(5, '0')}-T${String(from + 9).padStart(5, '0')}) before implementation (T${String(from + 10).padStart(5, '0')}-T${String(from + 40).padStart(5, '0')})`,
    );
  }
  out.push('', '## Parallel Example: User Story 1', '', '```bash', '- [ ] T00001 [P] inside a fence', '```', '');
  return out.join('\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
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
  const ratios: number[] = [];
  const parseShares: number[] = [];
  const graphShares: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i += 1) {
    // Turns about: neither side always runs right after the other's garbage, or always first.
    const markdownItFirst = i % 2 === 1;
    const before = markdownItFirst ? time(() => md.parse(text, {})) : 0;
    let doc = parseTasks('');
    const parse = time(() => {
      doc = parseTasks(text);
    });
    tasks = doc.tasks.length;
    const graph = time(() => buildTaskGraph(doc).criticalPath());
    const b = markdownItFirst ? before : time(() => md.parse(text, {}));
    if (i >= WARMUP) {
      ours.push(parse + graph);
      theirs.push(b);
      ratios.push((parse + graph) / b);
      parseShares.push(parse / b);
      graphShares.push(graph / b);
    }
  }
  const oursMs = median(ours);
  const theirsMs = median(theirs);
  console.log(`document: ${tasks} tasks, ${(text.length / 1024).toFixed(0)} KiB`);
  console.log(
    `parse + graph: ${oursMs.toFixed(2)} ms   markdown-it tokenise: ${theirsMs.toFixed(2)} ms   ratio ${(oursMs / theirsMs).toFixed(2)}×   (target ≤ 0.60×)`,
  );
  // The machine is shared: the median of per-run ratios shrugs off load that changes between runs.
  console.log(
    `  median of per-run ratios: ${median(ratios).toFixed(2)}×   (target ≤ 0.60×)   of which parse ${median(parseShares).toFixed(2)}×, graph ${median(graphShares).toFixed(2)}×`,
  );

  const dir = await mkdtemp(path.join(tmpdir(), 'tasks-bench-'));
  try {
    const file = path.join(dir, 'tasks.md');
    await writeFile(file, text);
    const doc = parseTasks(text);
    const target = doc.tasks[Math.floor(doc.tasks.length * 0.9)];
    if (target === undefined) throw new Error('generated document has no tasks');
    const ref = taskRefOf(target);
    const signal = new AbortController().signal;
    // Every tick flips the task, so each one really writes. The tick and the same steps taken one at a time
    // alternate in one loop, side by side: timed in a loop of its own, first, right after the parse benchmarks,
    // the tick measured 7.5 ms where the same ticks alternated measure about 3.3 ms.
    let done = target.done;
    const ticks: number[] = [];
    const reads: number[] = [];
    const patches: number[] = [];
    const writes: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i += 1) {
      done = !done;
      const start = performance.now();
      const result = await writeTaskDone(file, ref, done, signal);
      const elapsed = performance.now() - start;
      if (!result.ok) throw new Error(`tick refused: ${result.reason}`);

      let bytes = Buffer.alloc(0);
      const read = await timeAsync(async () => {
        bytes = await readFile(file);
      });
      done = !done;
      const patch = time(() => {
        const patched = setTaskDoneInBytes(bytes, ref, done);
        if (!patched.ok || !patched.changed)
          throw new Error(`tick refused: ${patched.ok ? 'unchanged' : patched.reason}`);
      });
      const write = await timeAsync(() => writeFileAtomic(file, bytes));
      if (i >= WARMUP) {
        ticks.push(elapsed);
        reads.push(read);
        patches.push(patch);
        writes.push(write);
      }
    }
    // fsync of a same-size file in the same folder, alone: what any atomic write on this disk pays at least.
    const syncs: number[] = [];
    const probe = path.join(dir, 'fsync-probe.tmp');
    for (let i = 0; i < WARMUP + RUNS; i += 1) {
      const handle = await open(probe, 'w');
      try {
        await handle.writeFile(text);
        const sync = await timeAsync(() => handle.sync());
        if (i >= WARMUP) syncs.push(sync);
      } finally {
        await handle.close();
      }
    }
    const tickMs = median(ticks);
    const syncMs = median(syncs);
    console.log(
      `tick one task (writeTaskDone: re-read, locate, atomic write with fsync): ${tickMs.toFixed(2)} ms   ratio to target ${(tickMs / 5).toFixed(2)}×   (target < 5 ms)`,
    );
    console.log(
      `  steps: read ${median(reads).toFixed(2)} ms   locate + patch bytes ${median(patches).toFixed(2)} ms   atomic write (temp, fsync, rename) ${median(writes).toFixed(2)} ms`,
    );
    console.log(
      `  floor: fsync alone of a ${(text.length / 1024).toFixed(0)} KiB file on this disk ${syncMs.toFixed(2)} ms${syncMs >= 5 ? '   (at or above the 5 ms target: the disk, not the writer, sets this number)' : ''}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
