import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactDeep, redactSecrets, rememberSecret } from '../../../src/core/util/secrets';

test('remembered secrets and anything shaped like an Anthropic key are redacted', () => {
  rememberSecret('corp-gateway-token-42');
  rememberSecret('short');
  assert.equal(redactSecrets('use corp-gateway-token-42 please'), 'use [redacted] please');
  assert.equal(redactSecrets('key sk-ant-api03-Ab_c-9 end'), 'key sk-ant-[redacted] end');
  assert.equal(redactSecrets('short words stay'), 'short words stay', 'values too short to be keys are not secrets');
  assert.equal(redactSecrets('nothing here'), 'nothing here');
});

test('redactDeep copies only what carries a secret, errors included', () => {
  const clean = { type: 'log', nested: { list: ['a', 'b'] } };
  assert.equal(redactDeep(clean), clean, 'an untouched value is the same object');
  const event = { type: 'run-finished', message: 'failed: sk-ant-api03-xyz', tasks: [{ id: 'T1' }] };
  const redacted = redactDeep(event);
  assert.equal(redacted.message, 'failed: sk-ant-[redacted]');
  assert.equal(redacted.tasks, event.tasks);
  assert.equal(event.message, 'failed: sk-ant-api03-xyz', 'the original is not changed');
  const error = redactDeep(new Error('refused sk-ant-api03-xyz'));
  assert.equal(error.message, 'refused sk-ant-[redacted]');
  assert.ok(!(error.stack ?? '').includes('api03-xyz'));
});
