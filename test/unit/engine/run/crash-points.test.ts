/**
 * kill -9 at the moments the run's write-ahead order is about: a file written but its confirmation not yet
 * recorded, a task ticked but its end not yet recorded, a worker started while its start is being recorded.
 * A killed process loses what it had not handed to the disk (its queued journal records), never what it had:
 * so a copy of the project taken synchronously at such a moment is what a kill there leaves. Each copy is
 * resumed and must finish with every task ticked, every file as approved, and nothing applied twice; then rolled
 * back, and must leave every file as it was before the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NodeWorkspace } from '../../../../src/core/engine/workspace/node-workspace';
import { stateDirFor } from '../../../../src/core/engine/journal/state-dir';
import { readJournalFile } from '../../../../src/core/engine/journal/journal-file';
import { contentFor, makeProject, removeDir, startHarness, testSettings, wellBehaved } from './harness';

const TASKS =
  '## Phase 1: Core\n\n- [ ] T001 [P] Write `src/a.js`\n- [ ] T002 [P] Write `src/b.js`\n- [ ] T003 [P] Write `src/c.js`\n- [ ] T004 Wire `src/d.js`\n';
const FILES: Record<string, string> = { T001: 'src/a.js', T002: 'src/b.js', T003: 'src/c.js', T004: 'src/d.js' };
/** There before the run: its edit has a pre-image to store, and rollback must bring it back. */
const BEFORE: Record<string, string> = { 'src/d.js': '// the original d\n' };

test(
  'kill -9 between a task’s write and its confirmation, its tick and its end, or at a start: resume finishes it all',
  { timeout: 120_000 },
  async () => {
    const dir = await makeProject(TASKS, BEFORE);
    const copies: { at: string; dir: string; ticked: string[] }[] = [];
    const crashCopy = (at: string): void => {
      const copy = `${dir}-crash-${copies.length}`;
      cpSync(dir, copy, { recursive: true });
      // The killed process is gone: its feature lock would be taken over; the copy's holder is this live one.
      rmSync(join(stateDirFor(copy), 'locks'), { recursive: true, force: true });
      const tasksMd = readFileSync(join(copy, 'specs/001-demo/tasks.md'), 'utf8');
      copies.push({ at, dir: copy, ticked: Object.keys(FILES).filter((id) => tasksMd.includes(`[X] ${id} `)) });
    };
    class CrashingWorkspace extends NodeWorkspace {
      override async writeAtomic(...args: Parameters<NodeWorkspace['writeAtomic']>) {
        const written = await super.writeAtomic(...args);
        crashCopy(`after the write of ${args[0]}, before its confirmation`);
        return written;
      }
    }
    const h = await startHarness({ dir, latencyMs: 5 });
    try {
      h.mock.setHandler(wellBehaved((path) => existsSync(join(dir, path))));
      const { createEngine } = await import('../../../../src/core/engine');
      const { AnthropicProvider } = await import('../../../../src/core/llm/anthropic-provider');
      const { LlmGovernor } = await import('../../../../src/core/llm/governor');
      const { NodeCommandRunner } = await import('../../../../src/core/engine/commands/node-command-runner');
      const engine = createEngine({
        provider: new AnthropicProvider({
          apiKey: async () => 'test-key',
          baseURL: h.mock.url,
          governor: new LlmGovernor({ maxConcurrent: 8 }),
        }),
        workspace: (root) => (root === dir ? new CrashingWorkspace(root) : new NodeWorkspace(root)),
        commandRunner: new NodeCommandRunner(),
        confirm: async () => true,
      });
      const settings = { ...testSettings, validate: false };
      const run = engine.start({ root: dir, settings });
      run.onEvent((event) => {
        if (event.type !== 'task-status') return;
        // Shown before it is recorded: a done task is ticked, its end not yet journaled; a started one is not yet either.
        if (event.status === 'done') crashCopy(`after the tick of ${event.taskKey}, before its end is recorded`);
        if (event.status === 'running' && event.workerId === undefined) crashCopy(`as ${event.taskKey} starts`);
      });
      const first = await run.done;
      assert.equal(first.outcome, 'completed', first.message);
      assert.ok(copies.length >= 12, `a copy at every moment (${copies.length})`);
      assert.ok(
        copies.some((c) => c.ticked.length > 0 && c.ticked.length < 4),
        'some copies are of a run that had ticked some tasks, not all',
      );

      for (const copy of copies) {
        h.mock.setHandler(wellBehaved((path) => existsSync(join(copy.dir, path))));
        const resumed = await (await engine.resume({ root: copy.dir, runId: run.id, settings })).done;
        assert.equal(resumed.outcome, 'completed', `${copy.at}: ${resumed.message}`);
        const tasksMd = readFileSync(join(copy.dir, 'specs/001-demo/tasks.md'), 'utf8');
        for (const [id, path] of Object.entries(FILES)) {
          assert.match(tasksMd, new RegExp(`- \\[X\\] ${id} `), `${copy.at}: ${id} ticked`);
          assert.equal(readFileSync(join(copy.dir, path), 'utf8'), contentFor(path, id), `${copy.at}: ${path}`);
        }
        const { records, warnings } = await readJournalFile(join(resumed.journalDir, 'journal.jsonl'));
        assert.ok(
          warnings.every((w) => /torn last record/.test(w)),
          `${copy.at}: ${warnings.join('; ')}`,
        );
        // Nothing done is redone: the resumed session proposes nothing for a task ticked before the kill.
        const resumedAt = records.findLastIndex((r) => r.type === 'run-planned');
        const proposedAgain = records
          .slice(resumedAt)
          .flatMap((r) => (r.type === 'proposal-made' && copy.ticked.includes(r.taskKey) ? [r.taskKey] : []));
        assert.deepEqual(proposedAgain, [], `${copy.at}: ticked before the kill (${copy.ticked.join(', ')})`);

        const rolled = await engine.rollback({ root: copy.dir, runId: run.id });
        assert.deepEqual(rolled.skipped, [], `${copy.at}: nothing left as it is`);
        assert.deepEqual(rolled.unticked.sort(), Object.keys(FILES), `${copy.at}: every tick undone`);
        for (const path of Object.values(FILES)) {
          const before = BEFORE[path];
          if (before === undefined) assert.equal(existsSync(join(copy.dir, path)), false, `${copy.at}: ${path} gone`);
          else assert.equal(readFileSync(join(copy.dir, path), 'utf8'), before, `${copy.at}: ${path} restored`);
        }
      }
    } finally {
      for (const copy of copies) await removeDir(copy.dir);
      await h.close();
    }
  },
);
