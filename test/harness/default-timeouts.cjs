// Preloaded into every node:test process (scripts/run-unit-tests.mjs, scripts/run-e2e-tests.mjs): every test,
// suite and hook gets a timeout unless it sets its own, so a hang fails and names the test that hung. The
// runner sets the default in SPECKIT_DEFAULT_TEST_TIMEOUT_MS; TEST_TIMEOUT_MS overrides it for a run.
//
// Not `--test-timeout`: on Node 20 that flag also times the whole file (its child process) as one test, so a
// file of many quick tests would fail as a whole, and a hang would be reported against the file, not the test.
'use strict';
const nodeTest = require('node:test');
const { syncBuiltinESMExports } = require('node:module');

const DEFAULT_TIMEOUT_MS =
  Number(process.env.TEST_TIMEOUT_MS) || Number(process.env.SPECKIT_DEFAULT_TEST_TIMEOUT_MS) || 30_000;

/** test/it/describe/suite: ([name][, options][, fn]). */
function withTimeout(original) {
  const wrapped = function (...args) {
    const name = typeof args[0] === 'string' ? args.shift() : undefined;
    const options = typeof args[0] === 'object' && args[0] !== null ? args.shift() : {};
    const rest = [{ timeout: DEFAULT_TIMEOUT_MS, ...options }, ...args];
    return name === undefined ? original.apply(this, rest) : original.call(this, name, ...rest);
  };
  for (const variant of ['skip', 'todo', 'only']) if (original[variant]) wrapped[variant] = original[variant];
  return wrapped;
}

/** before/after/beforeEach/afterEach: (fn[, options]). */
function hookWithTimeout(original) {
  return function (fn, options) {
    return original.call(this, fn, { timeout: DEFAULT_TIMEOUT_MS, ...options });
  };
}

for (const name of ['test', 'it', 'describe', 'suite']) nodeTest[name] = withTimeout(nodeTest[name]);
for (const name of ['before', 'after', 'beforeEach', 'afterEach']) nodeTest[name] = hookWithTimeout(nodeTest[name]);
syncBuiltinESMExports();
