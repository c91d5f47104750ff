// `speckit-orchestra verify` as a process on a 300-task feature backed by 300 evidence records (three runs of
// 100 tasks; every task writes its own file and one shared file the later runs edit again, so the check walks
// chains across runs), side by side with two floors: a bare `node -e 0` and the `tasks` command on the same
// feature. Target: under 1 s as a process. Needs `npm run build` (it runs dist/cli.js).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalRecord } from '../src/protocol/journal';
import { sha256 } from '../src/core/util/sha256';
import { unifiedDiff } from '../src/core/evidence/unified-diff';
import { verifyTasks } from '../src/core/evidence/verify-tasks';

const TASKS = 300;
const RUNS = 3;
const REPEATS = 9;
const cli = join(process.cwd(), 'dist', 'cli.js');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** A project whose journals look like real runs: usage, task states, command output beside the evidence. */
async function makeProject(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'verify-bench-'));
  await mkdir(join(root, '.specify', 'memory'), { recursive: true });
  await mkdir(join(root, 'specs', '001-bench'), { recursive: true });
  await mkdir(join(root, 'src'), { recursive: true });
  const lines = ['# Tasks', ''];
  const shared = new Map<string, string>();
  let clock = Date.UTC(2030, 0, 1);
  const at = () => new Date((clock += 1000)).toISOString();
  for (let r = 0; r < RUNS; r++) {
    const runId = `2030-01-0${r + 1}T00-00-00-000Z-bench${r}`;
    const dir = join(root, '.specify', 'orchestra', 'runs', runId);
    await mkdir(join(dir, 'blobs'), { recursive: true });
    const records: JournalRecord[] = [];
    const perRun = TASKS / RUNS;
    lines.push(`## Phase ${r + 1}: Part ${r + 1}`, '');
    records.push({
      type: 'run-planned',
      at: at(),
      formatVersion: 1,
      runId,
      featureId: '001-bench',
      tasksPath: 'specs/001-bench/tasks.md',
      tasksHash: sha256(''),
      tasks: [],
      policy: 'auto-approve-all',
    });
    for (let i = r * perRun + 1; i <= (r + 1) * perRun; i++) {
      const id = `T${String(i).padStart(3, '0')}`;
      const lineText = `${id} [P] Implement component ${i} in \`src/component-${i}.ts\``;
      lines.push(`- [X] ${lineText}`);
      const sharedPath = `src/shared-${i % 10}.ts`;
      const edits = [`src/component-${i}.ts`, sharedPath].map((path, k) => {
        const before = path === sharedPath ? (shared.get(path) ?? null) : null;
        const after = `${before ?? ''}export const c${i}_${k} = ${i};\n`.repeat(path === sharedPath ? 1 : 20);
        if (path === sharedPath) shared.set(path, after);
        return { path, before, after, proposalId: `${runId}-${id}-${k}` };
      });
      for (const e of edits) {
        await writeFile(join(dir, 'blobs', sha256(e.after)), e.after);
        if (e.before !== null) await writeFile(join(dir, 'blobs', sha256(e.before)), e.before);
        records.push(
          { type: 'task-state', at: at(), taskKey: id, status: 'running' },
          {
            type: 'proposal-made',
            at: at(),
            proposalId: e.proposalId,
            revision: 0,
            taskKey: id,
            workerId: `${id}-w`,
            role: 'code-writer',
            path: e.path,
            kind: e.before === null ? 'create' : 'modify',
            baseHash: e.before === null ? null : sha256(e.before),
          },
          { type: 'proposal-decided', at: at(), proposalId: e.proposalId, outcome: 'accepted', by: 'policy' },
          {
            type: 'edit-applying',
            at: at(),
            proposalId: e.proposalId,
            taskKey: id,
            path: e.path,
            kind: e.before === null ? 'create' : 'modify',
            preImage:
              e.before === null ? { kind: 'none' } : { kind: 'stored', hash: sha256(e.before), size: e.before.length },
            writtenHash: sha256(e.after),
            postImage: { kind: 'stored', hash: sha256(e.after), size: e.after.length },
          },
          { type: 'edit-applied', at: at(), proposalId: e.proposalId },
        );
      }
      const usage = {
        inputTokens: 1200,
        outputTokens: 300,
        cacheCreationInputTokens: 0,
        cacheCreation1hInputTokens: 0,
        cacheReadInputTokens: 4000,
        costUsd: 0.01,
        estimated: false,
      };
      records.push(
        { type: 'usage', at: at(), role: 'code-writer', taskKey: id, model: 'claude-sonnet-4-5', usage },
        {
          type: 'command-run',
          at: at(),
          name: 'test',
          argv: ['npm', 'test'],
          taskKey: id,
          outcome: 'exited',
          exitCode: 0,
          signal: null,
          timedOut: false,
          durationMs: 900,
          output: 'ok '.repeat(2500),
          outputDigest: sha256('ok'),
        },
        {
          type: 'task-evidence',
          at: at(),
          taskKey: id,
          taskId: id,
          tasksPath: 'specs/001-bench/tasks.md',
          lineHash: sha256(lineText),
          edits: edits.map((e) => ({
            proposalId: e.proposalId,
            path: e.path,
            kind: e.before === null ? 'create' : 'modify',
            role: 'code-writer',
            beforeHash: e.before === null ? null : sha256(e.before),
            afterHash: sha256(e.after),
            hunk: unifiedDiff(e.path, e.before, e.after).text,
            approval: { by: 'policy', policy: 'auto-approve-all' },
          })),
          commands: [],
          models: ['claude-sonnet-4-5'],
          cost: usage,
        },
        { type: 'task-state', at: at(), taskKey: id, status: 'done' },
      );
      await writeFile(join(root, edits[0]?.path ?? ''), edits[0]?.after ?? '');
    }
    records.push({ type: 'run-finished', at: at(), outcome: 'completed', message: 'done' });
    await writeFile(join(dir, 'journal.jsonl'), records.map((x) => `${JSON.stringify(x)}\n`).join(''));
  }
  for (const [path, text] of shared) await writeFile(join(root, path), text);
  await writeFile(join(root, 'specs', '001-bench', 'tasks.md'), `${lines.join('\n')}\n`);
  return root;
}

function timeProcess(args: string[]): { ms: number; status: number | null; stdout: string } {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return { ms: performance.now() - start, status: result.status, stdout: result.stdout };
}

export async function run(): Promise<void> {
  if (!existsSync(cli)) {
    console.log('dist/cli.js is missing: run `npm run build` first');
    process.exitCode = 1;
    return;
  }
  const root = await makeProject();
  try {
    const first = timeProcess([cli, 'verify', '--workspace', root, '--json']);
    const summary = (JSON.parse(first.stdout) as { summary: Record<string, number> }).summary;
    if (first.status !== 0 || summary['verified'] !== TASKS)
      throw new Error(`the generated feature did not verify: exit ${String(first.status)} ${JSON.stringify(summary)}`);
    const verify: number[] = [];
    const bare: number[] = [];
    const tasks: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      // Interleaved, so load on the shared machine falls on all three alike.
      verify.push(timeProcess([cli, 'verify', '--workspace', root]).ms);
      bare.push(timeProcess(['-e', '0']).ms);
      tasks.push(timeProcess([cli, 'tasks', '--workspace', root]).ms);
    }
    // The work alone, in this process (no start-up): what the extension and the language server pay per check.
    const inProcess: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const start = performance.now();
      await verifyTasks({ tasksPath: join(root, 'specs', '001-bench', 'tasks.md') });
      inProcess.push(performance.now() - start);
    }
    const v = median(verify);
    const b = median(bare);
    const t = median(tasks);
    console.log(`feature: ${TASKS} ticked tasks, ${TASKS} evidence records in ${RUNS} runs, ${TASKS * 2} edits`);
    console.log(
      `verify (process): ${v.toFixed(0)} ms   ratio to target ${(v / 1000).toFixed(2)}×   (target < 1000 ms)`,
    );
    console.log(
      `  the check alone, in process: ${median(inProcess).toFixed(0)} ms\n` +
        `  floors: node -e 0 ${b.toFixed(0)} ms (${(v / b).toFixed(2)}×)   tasks on the same feature ${t.toFixed(0)} ms (${(v / t).toFixed(2)}×)`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
