import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { complete, lastUserText, makeProject, startHarness, testSettings, toolCall, turnOf } from './harness';

const settings = { ...testSettings, validate: false, approvalPolicy: 'ask' as const, interactiveApproval: true };

test('the face approves through Run.decide: pending list, diff content, reject with feedback reaches the agent, then accept with edits', async () => {
  const dir = await makeProject('## Phase 1: Core\n\n- [ ] T001 Change `src/a.js`\n', { 'src/a.js': 'const a = 1;\n' });
  const h = await startHarness({ dir });
  h.mock.setHandler((request) => {
    switch (turnOf(request)) {
      case 0:
        return toolCall('propose_edit', {
          kind: 'replace',
          path: 'src/a.js',
          old_string: 'const a = 1;',
          new_string: 'const a = 2;',
          reason: 'bump',
        });
      case 1:
        return toolCall('propose_edit', {
          kind: 'replace',
          path: 'src/a.js',
          old_string: 'const a = 1;',
          new_string: 'const a = 3;',
        });
      default:
        return complete(['src/a.js']);
    }
  });
  try {
    const run = h.engine.start({ root: dir, settings });
    let decisions = 0;
    run.onEvent((event) => {
      if (event.type !== 'proposal-pending') return;
      const pending = run.pendingProposals();
      assert.deepEqual(
        pending.map((p) => p.id),
        [event.proposal.id],
      );
      const content = run.proposalContent(event.proposal.id);
      assert.equal(content?.base, 'const a = 1;\n');
      decisions++;
      if (decisions === 1) {
        assert.equal(content?.proposed, 'const a = 2;\n');
        assert.equal(event.proposal.reason, 'bump');
        assert.ok(run.decide(event.proposal.id, { kind: 'reject', feedback: 'use 3, not 2' }));
      } else {
        assert.ok(run.decide(event.proposal.id, { kind: 'accept-with-edits', content: 'const a = 4;\n' }));
        assert.equal(
          run.decide(event.proposal.id, { kind: 'accept' }),
          false,
          'a decided proposal cannot be decided again',
        );
      }
    });
    const result = await run.done;
    assert.equal(result.outcome, 'completed', result.message);
    assert.equal(decisions, 2);
    assert.match(lastUserText(h.mock.requests[1]!), /use 3, not 2/);
    assert.match(lastUserText(h.mock.requests[2]!), /own edits/);
    assert.equal(readFileSync(join(dir, 'src/a.js'), 'utf8'), 'const a = 4;\n');
  } finally {
    await h.close();
  }
});

test('an Approver port given to the engine answers every proposal no policy decided', async () => {
  const dir = await makeProject('## Phase 1: Core\n\n- [ ] T001 Write `src/b.js`\n');
  const seen: string[] = [];
  const h = await startHarness({ dir });
  h.mock.setHandler((request) =>
    turnOf(request) === 0
      ? toolCall('propose_edit', { kind: 'create', path: 'src/b.js', content: 'b' })
      : complete(['src/b.js']),
  );
  const { createEngine } = await import('../../../../src/core/engine');
  const { AnthropicProvider } = await import('../../../../src/core/llm/anthropic-provider');
  const { NodeWorkspace, NodeCommandRunner } = await import('../../../../src/core/engine');
  const engine = createEngine({
    provider: new AnthropicProvider({ apiKey: async () => 'k', baseURL: h.mock.url }),
    workspace: (root) => new NodeWorkspace(root),
    commandRunner: new NodeCommandRunner(),
    confirm: async () => true,
    approver: async (proposal) => {
      seen.push(`${proposal.kind} ${proposal.path} ${proposal.proposed ?? ''}`);
      return { kind: 'accept' };
    },
  });
  try {
    const result = await engine.start({ root: dir, settings: { ...settings, interactiveApproval: false } }).done;
    assert.equal(result.outcome, 'completed', result.message);
    assert.deepEqual(seen, ['create src/b.js b']);
    assert.ok(existsSync(join(dir, 'src/b.js')));
  } finally {
    await h.close();
  }
});
