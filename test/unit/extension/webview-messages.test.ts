import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWebviewToHost } from '../../../src/protocol/webview-messages';

test('accepts exactly the protocol messages', () => {
  assert.deepEqual(parseWebviewToHost({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseWebviewToHost({ type: 'command', command: 'cancelRun' }), {
    type: 'command',
    command: 'cancelRun',
  });
});

test('refuses anything else', () => {
  for (const bad of [
    undefined,
    null,
    'ready',
    [],
    { type: 'ready', extra: 1 },
    { type: 'command', command: 'rm -rf' },
    { type: 'command' },
    { type: 'eval', code: '1' },
  ]) {
    assert.equal(parseWebviewToHost(bad), undefined, JSON.stringify(bad));
  }
});
