import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  automaticHooks,
  parseExtensionsConfig,
  readExtensionsConfig,
} from '../../../src/core/speckit/extensions-config';
import { copyFixtureProject } from './fixture-projects';

const signal = new AbortController().signal;

test('reads before_/after_implement hooks with spec-kit defaults and ignores other events', async (t) => {
  const fx = await copyFixtureProject('numbered');
  t.after(fx.dispose);
  const file = join(fx.root, '.specify', 'extensions.yml');
  const read = await readExtensionsConfig(file, signal);
  assert.equal(read.kind, 'read');
  if (read.kind !== 'read') return;
  const { hooks, diagnostics } = read.config;
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(hooks.before_implement, [
    {
      event: 'before_implement',
      command: 'speckit.git.check-clean',
      optional: false,
      enabled: true,
      line: 7,
      extension: 'git',
      description: 'Refuse to start on a dirty tree',
    },
    {
      event: 'before_implement',
      command: 'speckit.lint.run',
      optional: true,
      enabled: true,
      line: 11,
      extension: 'lint',
      prompt: 'Run the linter first?',
    },
  ]);
  assert.deepEqual(
    hooks.after_implement.map((h) => [h.command, h.enabled, h.optional, h.condition]),
    [
      ['speckit.git.commit', false, false, undefined],
      ['speckit.notify.send', true, false, 'config.notify.enabled'],
    ],
  );
  assert.deepEqual(
    automaticHooks(read.config, 'before_implement').map((h) => h.command),
    ['speckit.git.check-clean'],
  );
  assert.deepEqual(automaticHooks(read.config, 'after_implement'), []);
  assert.deepEqual(await readExtensionsConfig(join(fx.root, 'nope.yml'), signal), { kind: 'absent' });
});

test('malformed entries are reported with file, line and reason; good ones are kept', async (t) => {
  const fx = await copyFixtureProject('bad-config');
  t.after(fx.dispose);
  const file = join(fx.root, '.specify', 'extensions.yml');
  const read = await readExtensionsConfig(file, signal);
  assert.equal(read.kind, 'read');
  if (read.kind !== 'read') return;
  // The unclosed flow sequence makes the whole document invalid YAML: nothing is trusted.
  assert.deepEqual(read.config.hooks, { before_implement: [], after_implement: [] });
  assert.ok(read.config.diagnostics.length > 0);
  assert.ok(
    read.config.diagnostics.every(
      (d) => d.file === file && d.code === 'extensions-yaml-invalid' && /not valid YAML/.test(d.message),
    ),
  );

  const text =
    'hooks:\n  before_implement:\n    - extension: git\n    - command: speckit.ok.run\n      optional: "yes"\n    - command: speckit.fine.run\n  after_implement:\n    command: speckit.single.run\n';
  const config = parseExtensionsConfig(text, 'ext.yml');
  assert.deepEqual(
    config.hooks.before_implement.map((h) => h.command),
    ['speckit.fine.run'],
  );
  assert.deepEqual(
    config.hooks.after_implement.map((h) => h.command),
    ['speckit.single.run'],
  );
  assert.deepEqual(
    config.diagnostics.map((d) => [d.line, d.message.replace(/:.*$/, '')]),
    [
      [3, 'hooks.before_implement[0] ignored'],
      [4, 'hooks.before_implement[1] ignored'],
    ],
  );
  assert.match(config.diagnostics[0]?.message ?? '', /command/);
  assert.match(config.diagnostics[1]?.message ?? '', /optional/);
});

test('odd top-level shapes are diagnostics, an empty file is no hooks', () => {
  assert.deepEqual(parseExtensionsConfig('', 'e.yml').diagnostics, []);
  assert.match(parseExtensionsConfig('- a\n- b\n', 'e.yml').diagnostics[0]?.message ?? '', /mapping at the top level/);
  assert.match(
    parseExtensionsConfig('hooks: [1]\n', 'e.yml').diagnostics[0]?.message ?? '',
    /'hooks' must be a mapping/,
  );
  assert.match(
    parseExtensionsConfig('hooks:\n  before_implement: [3]\n', 'e.yml').diagnostics[0]?.message ?? '',
    /ignored/,
  );
});
