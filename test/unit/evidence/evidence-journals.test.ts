import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJournalText } from '../../../src/core/engine/journal/journal-file';
import { parseEvidenceRecords, readEvidenceJournals } from '../../../src/core/evidence/evidence-journals';
import { complete, makeProject, startHarness, testSettings, toolCall, turnOf } from '../engine/run/harness';

test('the small reader and the journal schemas read the evidence records of a real run alike', async () => {
  const dir = await makeProject('## Phase 1\n\n- [ ] T001 Write `src/a.js`\n- [ ] T002 Write `src/b.js`\n');
  const h = await startHarness({ dir });
  try {
    h.mock.setHandler((request) =>
      turnOf(request) === 0
        ? toolCall('propose_edit', {
            kind: 'create',
            path: /T001/.test(JSON.stringify(request.body)) ? 'src/a.js' : 'src/b.js',
            content: 'x\n',
          })
        : complete(),
    );
    const run = h.engine.start({ root: dir, settings: { ...testSettings, validate: false, maxWorkers: 1 } });
    assert.equal((await run.done).outcome, 'completed');
    const journals = await readEvidenceJournals(join(dir, 'specs', '001-demo'));
    assert.equal(journals.runs.length, 1);
    assert.deepEqual(journals.warnings, []);
    const text = readFileSync(join(journals.runs[0]?.dir ?? '', 'journal.jsonl'), 'utf8');
    const full = parseJournalText(text).records;
    const small = journals.runs[0]?.records ?? [];
    for (const type of [
      'task-evidence',
      'edit-applied',
      'edit-rolled-back',
      'evidence-voided',
      'run-planned',
    ] as const) {
      const fromSchema = full.filter((r) => r.type === type);
      const fromSmall = small.filter((r) => r.type === type);
      if (type === 'run-planned')
        assert.deepEqual(
          fromSmall,
          fromSchema.map(
            (r) =>
              r.type === 'run-planned' && {
                type: r.type,
                at: r.at,
                runId: r.runId,
                featureId: r.featureId,
                tasksPath: r.tasksPath,
              },
          ),
        );
      else assert.deepEqual(fromSmall, fromSchema, type);
    }
    assert.equal(small.filter((r) => r.type === 'task-evidence').length, 2);
  } finally {
    await h.close();
  }
});

test('records the small reader cannot trust are skipped with a warning, as the schema reader skips them', () => {
  const good = {
    type: 'evidence-voided',
    at: '2030-01-01T00:00:00.000Z',
    taskKeys: ['T001'],
    reason: 'rolled back',
  };
  const bad = [
    { ...good, taskKeys: [1] },
    {
      type: 'task-evidence',
      at: 'x',
      taskKey: 'T001',
      taskId: 'T001',
      tasksPath: 't',
      lineHash: 'nothex',
      edits: [],
      commands: [],
      models: [],
      cost: {},
    },
    {
      type: 'edit-applying',
      at: 'x',
      proposalId: 'p',
      taskKey: 'T',
      path: 'a',
      kind: 'rename',
      preImage: { kind: 'none' },
      writtenHash: null,
    },
  ];
  const text = [good, ...bad].map((r) => JSON.stringify(r)).join('\n') + '\n';
  const warnings: string[] = [];
  const records = parseEvidenceRecords(text, 'r1', warnings);
  assert.deepEqual(records, [good]);
  assert.equal(warnings.length, 3);
  assert.equal(parseJournalText(text).records.length, 1, 'the schema reader agrees');
});
