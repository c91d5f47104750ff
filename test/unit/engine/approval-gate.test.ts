import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApprovalPolicy } from '../../../src/protocol/engine-events';
import type { JournalRecord } from '../../../src/protocol/journal';
import { ApprovalGate } from '../../../src/core/engine/gate/approval-gate';
import type { ProposalDecider, GateEvent, ProposeContext } from '../../../src/core/engine/gate/approval-gate';
import type { ProposalDecision } from '../../../src/core/ports/consent';
import { InvalidProposalTransitionError, draftEdit, transition } from '../../../src/core/engine/gate/proposal';
import type { Proposal } from '../../../src/core/ports/edit-gate';
import { foldJournal } from '../../../src/core/engine/journal/fold';
import { sha256 } from '../../../src/core/engine/journal/hash';
import { NodeWorkspace } from '../../../src/core/engine/workspace/node-workspace';
import { never, tempProject } from './temp-dir';

function memoryJournal(): {
  records: JournalRecord[];
  blobs: Map<string, string>;
  append(r: JournalRecord): Promise<void>;
  storeBlob(t: string): Promise<{ kind: 'stored'; hash: string; size: number }>;
} {
  const records: JournalRecord[] = [];
  const blobs = new Map<string, string>();
  return {
    records,
    blobs,
    append: async (r) => void records.push(r),
    storeBlob: async (t) => {
      blobs.set(sha256(t), t);
      return { kind: 'stored', hash: sha256(t), size: t.length };
    },
  };
}

function scripted(...decisions: ProposalDecision[]): ProposalDecider & { seen: Proposal[] } {
  const seen: Proposal[] = [];
  return {
    seen,
    decide: async (proposal) => {
      seen.push(proposal);
      const next = decisions.shift();
      if (!next) throw new Error('no scripted decision left');
      return next;
    },
  };
}

const ctx = (role: ProposeContext['role'] = 'code-writer'): ProposeContext => ({
  taskKey: 'T001',
  workerId: 'w1',
  role,
  signal: never,
});

async function setUp(policy: ApprovalPolicy, approver?: ProposalDecider, extra: { unattended?: boolean } = {}) {
  const root = await tempProject({ 'src/a.ts': 'const a = 1;\nconst b = 2;\n', 'src/dup.ts': 'x\nx\n' });
  const journal = memoryJournal();
  let n = 0;
  const gate = new ApprovalGate({
    workspace: new NodeWorkspace(root),
    journal,
    policy,
    ...(approver ? { approver } : {}),
    ...extra,
    newId: () => `p${++n}`,
  });
  return { root, journal, gate };
}

test('draftEdit: replacement not found, found twice (with the count), create over existing, delete missing', () => {
  assert.deepEqual(draftEdit({ kind: 'replace', path: 'a', oldString: 'b', newString: 'c' }, 'abc'), {
    ok: true,
    kind: 'modify',
    proposedText: 'acc',
  });
  const missing = draftEdit({ kind: 'replace', path: 'a', oldString: 'zz', newString: 'c' }, 'abc');
  assert.match(missing.ok ? '' : missing.message, /not found/);
  const twice = draftEdit({ kind: 'replace', path: 'a', oldString: 'x', newString: 'y' }, 'x x x');
  assert.match(twice.ok ? '' : twice.message, /occurs 3 times/);
  assert.equal(draftEdit({ kind: 'create', path: 'a', content: '' }, 'exists').ok, false);
  assert.equal(draftEdit({ kind: 'delete', path: 'a' }, null).ok, false);
  assert.deepEqual(draftEdit({ kind: 'write', path: 'a', content: 'n' }, null), {
    ok: true,
    kind: 'create',
    proposedText: 'n',
  });
});

test('the proposal state machine refuses illegal moves', () => {
  const p = { state: { name: 'drafted' } } as Proposal;
  assert.throws(() => transition(p, { name: 'applied', writtenHash: null }), InvalidProposalTransitionError);
  const pending = transition(p, { name: 'pending' });
  assert.equal(transition(pending, { name: 'rejected', feedback: 'no' }).state.name, 'rejected');
});

test('accept: written atomically with the pre-image journaled before the write', async () => {
  const approver = scripted({ kind: 'accept' });
  const { root, journal, gate } = await setUp('ask', approver);
  const outcome = await gate.propose(
    { kind: 'replace', path: 'src/a.ts', oldString: 'const b = 2;', newString: 'const b = 3;' },
    ctx(),
  );
  assert.equal(outcome.kind, 'applied');
  assert.equal(await readFile(join(root, 'src/a.ts'), 'utf8'), 'const a = 1;\nconst b = 3;\n');
  assert.deepEqual(
    journal.records.map((r) => r.type),
    ['proposal-made', 'proposal-decided', 'edit-applying', 'edit-applied'],
  );
  const applying = journal.records[2];
  assert.equal(
    applying?.type === 'edit-applying' &&
      applying.preImage.kind === 'stored' &&
      journal.blobs.get(applying.preImage.hash),
    'const a = 1;\nconst b = 2;\n',
  );
  assert.equal(approver.seen[0]?.baseHash, sha256('const a = 1;\nconst b = 2;\n'));
  assert.equal(foldJournal(journal.records).edits[0]?.inDoubt, false);
});

test('accept with edits: the user text is written and the outcome carries a diff from the proposal', async () => {
  const { root, gate } = await setUp('ask', scripted({ kind: 'accept-with-edits', content: 'export const c = 42;\n' }));
  const outcome = await gate.propose({ kind: 'create', path: 'src/c.ts', content: 'export const c = 4;\n' }, ctx());
  assert.equal(outcome.kind, 'applied');
  assert.equal(await readFile(join(root, 'src/c.ts'), 'utf8'), 'export const c = 42;\n');
  const diff = outcome.kind === 'applied' ? (outcome.userEditsDiff ?? '') : '';
  assert.match(diff, /^-export const c = 4;$/m);
  assert.match(diff, /^\+export const c = 42;$/m);
});

test('reject: nothing written, feedback returned', async () => {
  const { root, journal, gate } = await setUp('ask', scripted({ kind: 'reject', feedback: 'use a constant' }));
  const outcome = await gate.propose({ kind: 'delete', path: 'src/a.ts' }, ctx());
  assert.deepEqual(outcome.kind === 'rejected' && outcome.feedback, 'use a constant');
  assert.ok(await stat(join(root, 'src/a.ts')));
  assert.ok(!journal.records.some((r) => r.type === 'edit-applying'));
});

test('refusals: protected path, deny list, escape, role scope — nobody is asked', async () => {
  const approver = scripted();
  const { gate } = await setUp('auto-approve-all', approver);
  const refused = async (path: string, role: ProposeContext['role'] = 'code-writer'): Promise<string> => {
    const o = await gate.propose({ kind: 'write', path, content: 'x' }, ctx(role));
    return o.kind === 'refused' ? o.reason : `not refused: ${o.kind}`;
  };
  assert.match(await refused('package-lock.json'), /protected/);
  assert.match(await refused('.vscode/settings.json'), /protected/);
  assert.match(await refused('.env'), /deny list/);
  assert.match(await refused('../outside.txt'), /outside the workspace/);
  assert.match(await refused('.git/config'), /\.git/);
  assert.match(await refused('src/a.ts', 'test-writer'), /outside the test-writer role's write scope/);
  assert.match(await refused('src/a.ts', 'documenter'), /write scope/);
  assert.match(await refused('src/a.ts', 'implementation-orchestrator'), /may not change files/);
  assert.equal(
    (await gate.propose({ kind: 'write', path: 'test/a.test.ts', content: 'x' }, ctx('test-writer'))).kind,
    'applied',
  );
  assert.equal(
    (await gate.propose({ kind: 'write', path: 'docs/guide.md', content: 'x' }, ctx('documenter'))).kind,
    'applied',
  );
  assert.equal(approver.seen.length, 0);
});

test('invalid edits come back as correctable messages', async () => {
  const { gate } = await setUp('auto-approve-all');
  const twice = await gate.propose({ kind: 'replace', path: 'src/dup.ts', oldString: 'x', newString: 'y' }, ctx());
  assert.equal(twice.kind, 'invalid');
  assert.match(twice.kind === 'invalid' ? twice.message : '', /occurs 2 times/);
  const created = await gate.propose({ kind: 'create', path: 'src/a.ts', content: '' }, ctx());
  assert.match(created.kind === 'invalid' ? created.message : '', /already exists/);
});

test('policies: auto-approve-tests accepts test files unasked and asks for the rest; unattended ask ends as needs-approval', async () => {
  const approver = scripted({ kind: 'accept' });
  const { gate } = await setUp('auto-approve-tests', approver);
  const test1 = await gate.propose({ kind: 'create', path: 'src/a.test.ts', content: 't' }, ctx());
  assert.equal(test1.kind === 'applied' && test1.decidedBy, 'policy');
  const code = await gate.propose({ kind: 'create', path: 'src/b.ts', content: 'b' }, ctx());
  assert.equal(code.kind === 'applied' && code.decidedBy, 'user');
  assert.equal(approver.seen.length, 1);

  const unattended = await setUp('ask', undefined, { unattended: true });
  assert.equal(
    (await unattended.gate.propose({ kind: 'create', path: 'src/x.ts', content: 'x' }, ctx())).kind,
    'needs-approval',
  );
  assert.equal(
    await stat(join(unattended.root, 'src/x.ts')).then(
      () => true,
      () => false,
    ),
    false,
  );
});

test('many proposals wait at once; a face decides them through decide() and sees onDidChange events', async () => {
  const { root, gate } = await setUp('ask');
  const events: string[] = [];
  gate.onDidChange((e: GateEvent) => events.push(`${e.type}:${e.proposal.path}`));
  const first = gate.propose({ kind: 'create', path: 'src/one.ts', content: '1' }, { ...ctx(), workerId: 'w1' });
  const second = gate.propose({ kind: 'create', path: 'src/two.ts', content: '2' }, { ...ctx(), workerId: 'w2' });
  while (gate.pending().length < 2) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(
    gate
      .pending()
      .map((p) => p.path)
      .sort(),
    ['src/one.ts', 'src/two.ts'],
  );
  const [p1, p2] = gate.pending();
  assert.ok(gate.decide(p2!.id, { kind: 'reject', feedback: 'not now' }));
  assert.ok(gate.decide(p1!.id, { kind: 'accept' }));
  assert.equal(gate.decide(p1!.id, { kind: 'accept' }), false, 'already decided');
  const outcomes = (await Promise.all([first, second])).map((o) => o.kind).sort();
  assert.deepEqual(outcomes, ['applied', 'rejected']);
  assert.equal(await readFile(join(root, p1!.path), 'utf8'), p1!.path === 'src/one.ts' ? '1' : '2');
  assert.ok(
    events.includes(`pending:${p1!.path}`) &&
      events.includes(`applied:${p1!.path}`) &&
      events.includes(`decided:${p2!.path}`),
  );
});

test('cancel while waiting: the proposal ends cancelled, nothing written', async () => {
  const { root, gate } = await setUp('ask');
  const controller = new AbortController();
  const waiting = gate.propose(
    { kind: 'create', path: 'src/z.ts', content: 'z' },
    { ...ctx(), signal: controller.signal },
  );
  while (gate.pending().length < 1) await new Promise((r) => setTimeout(r, 5));
  controller.abort();
  assert.equal((await waiting).kind, 'cancelled');
  assert.equal(gate.pending().length, 0);
  assert.equal(
    await stat(join(root, 'src/z.ts')).then(
      () => true,
      () => false,
    ),
    false,
  );
});

test('stale base: a replacement that still matches once is re-diffed onto the new base and asked again', async () => {
  let root = '';
  const approver: ProposalDecider & { seen: Proposal[] } = {
    seen: [],
    decide: async (proposal) => {
      approver.seen.push(proposal);
      // While the user looks at the first version, someone edits another line of the file.
      if (approver.seen.length === 1) await writeFile(join(root, 'src/a.ts'), 'const a = 10;\nconst b = 2;\n');
      return { kind: 'accept' };
    },
  };
  const setup = await setUp('ask', approver);
  root = setup.root;
  const outcome = await setup.gate.propose(
    { kind: 'replace', path: 'src/a.ts', oldString: 'const b = 2;', newString: 'const b = 3;' },
    ctx(),
  );
  assert.equal(outcome.kind, 'applied');
  assert.equal(approver.seen.length, 2);
  assert.equal(approver.seen[1]?.revision, 1);
  assert.equal(await readFile(join(root, 'src/a.ts'), 'utf8'), 'const a = 10;\nconst b = 3;\n');
  assert.ok(setup.journal.records.some((r) => r.type === 'proposal-decided' && r.outcome === 'stale'));
});

test('stale base that cannot be re-diffed: not applied, a clear error', async () => {
  let root = '';
  const approver: ProposalDecider = {
    decide: async () => {
      await writeFile(join(root, 'src/a.ts'), 'rewritten entirely\n');
      return { kind: 'accept' };
    },
  };
  const setup = await setUp('ask', approver);
  root = setup.root;
  const outcome = await setup.gate.propose({ kind: 'write', path: 'src/a.ts', content: 'mine\n' }, ctx());
  assert.equal(outcome.kind, 'stale');
  assert.match(outcome.kind === 'stale' ? outcome.message : '', /changed since the edit was proposed/);
  assert.equal(await readFile(join(root, 'src/a.ts'), 'utf8'), 'rewritten entirely\n');
});
