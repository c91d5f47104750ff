/**
 * Validation answers "is the spec met?": the code review, the security review and the test run start together;
 * the code reviewer judges every FR-, SC- and user story of spec.md through report_requirement; the verdicts,
 * reviews and tests are journaled and written as report.json / report.md; missing requirements go to the
 * bug-fixer in a bounded convergence loop; a requirement still missing fails the run, `unverified` alone does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reply, type MockReply, type RecordedRequest } from '../../../mock-anthropic';
import { readJournalFile } from '../../../../src/core/engine/journal/journal-file';
import { validationReportSchema, type ValidationReport } from '../../../../src/protocol/validation-report';
import type { RequirementVerdict } from '../../../../src/protocol/validation-summary';
import { complete, eventsOf, firstUserText, jobOf, startHarness, testSettings, turnOf, wellBehaved } from './harness';

const SPEC_IDS = ['FR-001', 'FR-002', 'FR-003', 'FR-004', 'FR-005', 'FR-006', 'SC-001', 'US1', 'US2'];

type Verdicts = Partial<Record<string, Exclude<RequirementVerdict, 'unverified'>>>;

/**
 * The example's workers, well behaved; the code reviewer judges as `verdicts` says (ids it leaves out stay
 * unjudged), the re-check as `recheck` says; the requirements bug-fixer writes src/title-limit.js.
 */
function team(dir: string, verdicts: Verdicts, recheck: Verdicts = {}): (request: RecordedRequest) => MockReply {
  const workers = wellBehaved((path) => existsSync(join(dir, path)));
  const judge = (given: Verdicts) =>
    Object.entries(given).map(([id, verdict]) => ({
      name: 'report_requirement',
      input: {
        id,
        verdict,
        evidence: `${id} is ${verdict} in src/todo-store.js:1`,
        tests: verdict === 'met' ? ['test/todo-store.test.js'] : [],
      },
    }));
  return (request) => {
    const job = jobOf(request);
    const turn = turnOf(request);
    if (job === 'code review')
      return turn === 0
        ? reply.tools([{ name: 'report_findings', input: { findings: [] } }, ...judge(verdicts)])
        : complete();
    if (job === 'requirements re-check') return turn === 0 ? reply.tools(judge(recheck)) : complete();
    if (job === 'requirements')
      return turn === 0
        ? reply.tools([
            {
              name: 'propose_edit',
              input: { kind: 'create', path: 'src/title-limit.js', content: 'module.exports = 200;\n' },
            },
          ])
        : complete(['src/title-limit.js']);
    return workers(request);
  };
}

async function journaledReports(journalDir: string): Promise<ValidationReport[]> {
  const { records } = await readJournalFile(join(journalDir, 'journal.jsonl'));
  return records.flatMap((r) => (r.type === 'validation-report' ? [r.report] : []));
}

test('the code review, the security review and the test run start together', async () => {
  // Every answer's headers come after `latency`: a job that waited for another's first byte (a shared cache
  // warm-up) or for its end would start at least that much later.
  const latency = 1_500;
  const h = await startHarness({ latencyMs: latency });
  try {
    h.mock.setHandler(team(h.dir, {}));
    const stamp = `require('fs').writeFileSync('test-started', String(Date.now()))`;
    const plan = await h.engine.plan({
      root: h.dir,
      onlyTasks: ['T001'],
      settings: { ...testSettings, convergeRounds: 0, commands: { test: [process.execPath, '-e', stamp] } },
    });
    const result = await h.engine.start(plan).done;
    assert.equal(result.outcome, 'completed', result.message);
    const first = (job: string) => h.mock.requests.find((r) => jobOf(r) === job);
    const code = first('code review');
    const security = first('security review');
    assert.ok(code && security);
    const started = Math.min(code.arrivedAt, security.arrivedAt);
    const gap = Math.abs(code.arrivedAt - security.arrivedAt);
    assert.ok(gap < latency / 2, `the two reviews arrived ${gap} ms apart: one waited for the other`);
    const testStarted = Number(readFileSync(join(h.dir, 'test-started'), 'utf8'));
    assert.ok(
      testStarted < started + latency,
      `the test run started ${testStarted - started} ms after the reviews, after their first answer`,
    );
  } finally {
    await h.close();
  }
});

test('verdicts through report_requirement: every spec id once, journaled, report.json and report.md; a missing one is fixed and re-checked', async () => {
  const h = await startHarness();
  try {
    const judged: Verdicts = {
      'FR-001': 'met',
      'FR-002': 'met',
      'FR-003': 'met',
      'FR-004': 'met',
      'FR-005': 'partial',
      'FR-006': 'missing',
      'SC-001': 'met',
      US1: 'met',
      US2: 'met',
    };
    h.mock.setHandler(team(h.dir, judged, { 'FR-006': 'met' }));
    const run = h.engine.start({ root: h.dir, settings: { ...testSettings, convergeRounds: 2 } });
    const result = await run.done;
    assert.equal(result.outcome, 'completed', result.message);

    const report = result.report;
    assert.ok(report);
    assert.deepEqual(
      report.requirements.map((r) => r.id),
      SPEC_IDS.filter((id) => id.startsWith('FR')).concat(['SC-001', 'US1', 'US2']),
      'every id of the spec, once, in spec order',
    );
    const byId = new Map(report.requirements.map((r) => [r.id, r]));
    assert.equal(byId.get('FR-006')?.verdict, 'met', 'the re-check after the bug-fixer');
    assert.equal(byId.get('FR-005')?.verdict, 'partial');
    assert.deepEqual(byId.get('FR-001')?.tests, ['test/todo-store.test.js']);
    assert.deepEqual(byId.get('FR-001')?.tasks, ['T004', 'T006'], 'the mapped tasks, by id');
    assert.match(byId.get('FR-005')?.evidence ?? '', /partial in src\/todo-store\.js:1/);
    assert.equal(report.rounds, 1, 'one round was enough');
    assert.equal(report.maxRounds, 2);
    assert.equal(report.tests.outcome, 'passed');
    assert.deepEqual(
      report.reviews.map((r) => [r.kind, r.completed]),
      [
        ['code', true],
        ['security', true],
      ],
    );

    // The bug-fixer got the missing requirement with the review's words, through /implement.
    const fixer = h.mock.requests.find((r) => jobOf(r) === 'requirements');
    assert.ok(fixer, 'the bug-fixer worked on the missing requirement');
    assert.match(firstUserText(fixer), /^## \/implement the requirements the review found missing: FR-006$/m);
    assert.match(
      firstUserText(fixer),
      /## FR-006: System MUST reject titles longer than 200 characters\.\nReview: FR-006 is missing/,
    );
    assert.ok(existsSync(join(h.dir, 'src/title-limit.js')), 'its fix went through the gate');
    const recheck = h.mock.requests.find((r) => jobOf(r) === 'requirements re-check');
    assert.ok(recheck && /- FR-006 \(requirement\)/.test(firstUserText(recheck)));
    assert.doesNotMatch(firstUserText(recheck), /- FR-001 /, 'only the missing one is judged again');

    // Journaled per round, shown as events, and written beside the journal.
    const journaled = await journaledReports(result.journalDir);
    assert.deepEqual(
      journaled.map((r) => [r.rounds, r.requirements.find((x) => x.id === 'FR-006')?.verdict]),
      [
        [0, 'missing'],
        [1, 'met'],
      ],
    );
    assert.equal(eventsOf(run.events(), 'validation-report').length, 2);
    const json = validationReportSchema.parse(JSON.parse(readFileSync(join(result.journalDir, 'report.json'), 'utf8')));
    assert.deepEqual(json, report);
    const markdown = readFileSync(join(result.journalDir, 'report.md'), 'utf8');
    assert.match(markdown, /^# Validation report: 001-todo-api\n/);
    assert.match(markdown, /\| FR-006 \| met \| .* \| FR-006 is met in src\/todo-store\.js:1 \|/);
    assert.match(markdown, /\| FR-005 \| partial \|/);
    assert.match(markdown, /## Tests\n\npassed — `.*--test`/);
  } finally {
    await h.close();
  }
});

test('a requirement still missing after the rounds fails the run, and the bug-fixer never gets more than N rounds', async () => {
  const h = await startHarness();
  try {
    h.mock.setHandler(team(h.dir, { 'FR-001': 'met', 'FR-006': 'missing' }, { 'FR-006': 'missing' }));
    const result = await h.engine.start({ root: h.dir, settings: { ...testSettings, convergeRounds: 2 } }).done;
    assert.equal(result.outcome, 'failed');
    assert.match(result.message, /10\/10 tasks done.*missing: FR-006/);
    assert.equal(result.report?.rounds, 2);
    const fixerRuns = h.mock.requests.filter((r) => jobOf(r) === 'requirements' && turnOf(r) === 0);
    assert.equal(fixerRuns.length, 2, 'two rounds, not more');
    assert.equal(result.report?.requirements.find((r) => r.id === 'FR-006')?.verdict, 'missing');

    const none = await startHarness();
    try {
      none.mock.setHandler(team(none.dir, { 'FR-006': 'missing' }));
      const off = await none.engine.start({ root: none.dir, settings: { ...testSettings, convergeRounds: 0 } }).done;
      assert.equal(off.outcome, 'failed');
      assert.equal(off.report?.rounds, 0);
      assert.ok(!none.mock.requests.some((r) => jobOf(r) === 'requirements'), '--converge 0: no bug-fixer');
    } finally {
      await none.close();
    }
  } finally {
    await h.close();
  }
});

test('requirements nobody judged stay unverified, after the reviewer is asked once; unverified alone does not fail the run', async () => {
  const h = await startHarness();
  try {
    h.mock.setHandler(team(h.dir, { 'FR-001': 'met' }));
    const result = await h.engine.start({ root: h.dir, settings: testSettings }).done;
    assert.equal(result.outcome, 'completed', result.message);
    const verdicts = new Map(result.report?.requirements.map((r) => [r.id, r]));
    assert.equal(verdicts.get('FR-001')?.verdict, 'met');
    assert.equal(verdicts.get('FR-006')?.verdict, 'unverified');
    assert.match(verdicts.get('FR-006')?.evidence ?? '', /the code review did not judge it; no task cites it/);
    assert.deepEqual(verdicts.get('FR-003')?.tasks, ['T005', 'T007'], 'unverified ones keep the mapped tasks');
    const asked = h.mock.requests.filter(
      (r) => jobOf(r) === 'code review' && /you have not judged FR-002, FR-003/.test(JSON.stringify(r.body)),
    );
    assert.ok(asked.length >= 1, 'the reviewer was asked for the ids it left out');
    assert.equal(result.report?.rounds, 0, 'nothing to converge on');
  } finally {
    await h.close();
  }
});
