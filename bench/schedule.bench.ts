// The schedule of every tasks.md among the project's own fixtures and examples, as the dry run shows it: the waves
// the scheduler takes if every task took the same time, against the lower bound no schedule can beat (the longer
// of the critical path of the open tasks and the open tasks ÷ workers), and the speedup over one task at a time.
// Target: waves ≤ 1.15× the bound on every file.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildPlanGraph } from '../src/core/engine/orchestrators/plan-graph';
import { previewSchedule } from '../src/core/engine/orchestrators/spec-kit-planner';
import { parseTasks } from '../src/core/speckit/tasks-parser';

const ROOTS = ['examples', 'test/fixtures'];
const WORKERS = [3, 4];
const TARGET = 1.15;

function tasksFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return tasksFiles(path);
    return name === 'tasks.md' ? [path] : [];
  });
}

interface Row {
  readonly file: string;
  readonly workers: number;
  readonly open: number;
  readonly waves: number;
  readonly bound: number;
}

function measure(file: string, workers: number): Row | undefined {
  const doc = parseTasks(readFileSync(file, 'utf8'));
  const graph = buildPlanGraph(doc);
  const done = new Set(doc.tasks.filter((task) => task.done).map((task) => task.key));
  const open = doc.tasks.length - done.size;
  if (open === 0) return undefined;
  const waves = previewSchedule(doc, graph, done, workers).length;
  const chain = graph.criticalPath((key) => done.has(key)).length;
  return { file, workers, open, waves, bound: Math.max(chain, Math.ceil(open / workers)) };
}

export function run(): Promise<void> {
  const files = ROOTS.flatMap((root) => tasksFiles(join(process.cwd(), root))).sort();
  const rows = WORKERS.flatMap((workers) => files.flatMap((file) => measure(file, workers) ?? []));
  console.log(`${files.length} tasks.md files; waves with unit-time tasks, against max(critical path, open ÷ workers)`);
  console.log(`${'file'.padEnd(78)} workers  open  waves  bound  ratio  speedup`);
  let worst = 0;
  for (const row of rows) {
    const ratio = row.waves / row.bound;
    worst = Math.max(worst, ratio);
    console.log(
      `${relative(process.cwd(), row.file).padEnd(78)} ${String(row.workers).padStart(7)} ${String(row.open).padStart(5)} ${String(row.waves).padStart(6)} ${String(row.bound).padStart(6)} ${ratio.toFixed(2).padStart(5)}× ${(row.open / row.waves).toFixed(2).padStart(6)}×${ratio > TARGET ? '  OVER' : ''}`,
    );
  }
  console.log(`worst waves / bound: ${worst.toFixed(2)}×   (target ≤ ${TARGET.toFixed(2)}× on every file)`);
  return Promise.resolve();
}
