import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFeatureName, prefixOf, samePrefix } from '../../../src/core/speckit/feature-naming';

test('folder names: numbered (any width, empty slug), timestamped, hand-named', () => {
  assert.deepEqual(parseFeatureName('003-payment-integration'), {
    naming: { kind: 'numbered', prefix: '003', number: 3 },
    slug: 'payment-integration',
  });
  assert.deepEqual(parseFeatureName('1001-search'), {
    naming: { kind: 'numbered', prefix: '1001', number: 1001 },
    slug: 'search',
  });
  assert.deepEqual(parseFeatureName('001-'), { naming: { kind: 'numbered', prefix: '001', number: 1 }, slug: '' });
  assert.deepEqual(parseFeatureName('20250101-093000-login'), {
    naming: { kind: 'timestamped', prefix: '20250101-093000' },
    slug: 'login',
  });
  assert.deepEqual(parseFeatureName('main'), { naming: { kind: 'named' }, slug: 'main' });
  assert.equal(prefixOf('v2-thing'), undefined);
});

test('prefixes compare numbers by value and timestamps by text', () => {
  const [a, b, c] = [prefixOf('003'), prefixOf('3-x'), prefixOf('0003-y')];
  assert.ok(a && b && c);
  assert.ok(samePrefix(a, b) && samePrefix(a, c));
  const [s1, s2] = [prefixOf('20250101-093000'), prefixOf('20250101-093001-x')];
  assert.ok(s1 && s2);
  assert.equal(samePrefix(s1, s2), false);
  assert.equal(samePrefix(a, s1), false);
});
