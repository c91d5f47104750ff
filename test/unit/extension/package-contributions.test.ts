import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_MODELS, FEATURE_DOCUMENT_GLOBS } from '../../../src/core/engine/light';
import {
  CONFIG_SECTION,
  KEYS_APPLIED_AT_RUN_START,
  MODEL_ROLE_FOR_WORKER,
  parseSettings,
} from '../../../src/extension/settings-parser';
import { ContextKey } from '../../../src/extension/context-key-names';
import { welcomeKeys, type ScanState } from '../../../src/extension/trees/tasks-welcome';

const MODEL_ROLE_WORKERS = Object.keys(MODEL_ROLE_FOR_WORKER);

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, { markdownDescription?: string }> };
    views: Record<string, { id: string }[]>;
    viewsWelcome: { view: string; contents: string; when?: string }[];
    walkthroughs: {
      id: string;
      steps: { id: string; description: string; media: { markdown?: string }; completionEvents?: string[] }[];
    }[];
  };
}

const repo = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Manifest;
const commandIds = new Set(manifest.contributes.commands.map((c) => c.command));
const ownContextKeys = /\bspeckitOrchestra\.(\w+)\b/g;
const knownContextKeys = new Set(Object.values(ContextKey).map((key) => key.slice('speckitOrchestra.'.length)));
const viewIds = new Set(
  Object.values(manifest.contributes.views)
    .flat()
    .map((v) => v.id),
);

test('every command is in the Spec-Kit category; every menu entry names a contributed command', () => {
  for (const c of manifest.contributes.commands)
    if (c.command.startsWith('speckit-orchestra.')) assert.equal(c.category, 'Spec-Kit', c.command);
  for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
    for (const e of entries) assert.ok(commandIds.has(e.command), `${menu}: ${e.command} is contributed`);
  }
});

test('when clauses use only context keys the extension sets and views it contributes', () => {
  for (const entries of [...Object.values(manifest.contributes.menus), manifest.contributes.viewsWelcome]) {
    for (const e of entries) {
      for (const match of (e.when ?? '').matchAll(ownContextKeys)) {
        const name = match[1] ?? '';
        assert.ok(
          knownContextKeys.has(name) || viewIds.has(`speckitOrchestra.${name}`),
          `${'command' in e ? e.command : e.view}: unknown key speckitOrchestra.${name}`,
        );
      }
    }
  }
});

test('every setting has a markdown description, and the run-start keys are all settings', () => {
  const properties = manifest.contributes.configuration.properties;
  for (const [key, schema] of Object.entries(properties))
    assert.ok(schema.markdownDescription, `${key} has a markdownDescription`);
  for (const key of KEYS_APPLIED_AT_RUN_START)
    assert.ok(`${CONFIG_SECTION}.${key}` in properties, `${key} is contributed`);
});

test('the per-role budget schema names exactly the engine roles; the price schema requires input and output', () => {
  const properties = manifest.contributes.configuration.properties as Record<
    string,
    { properties?: Record<string, unknown>; additionalProperties?: { required?: string[] } }
  >;
  const roles = Object.keys(properties[`${CONFIG_SECTION}.budgetPerRole`]?.properties ?? {}).sort();
  assert.deepEqual(roles, MODEL_ROLE_WORKERS.sort());
  assert.deepEqual(properties[`${CONFIG_SECTION}.prices`]?.additionalProperties?.required, [
    'inputPerMTok',
    'outputPerMTok',
  ]);
});

/** Evaluates the `when` clauses the manifest uses (keys, `!`, `&&`, `||`); anything else fails the test. */
function holds(when: string | undefined, keys: Record<string, boolean>): boolean {
  if (when === undefined) return true;
  return when.split('||').some((conjunction) =>
    conjunction.split('&&').every((term) => {
      const match = /^\s*(!?)\s*([\w.]+)\s*$/.exec(term);
      assert.ok(match, `a when clause this test cannot read: ${when}`);
      const value = keys[match[2] ?? ''] ?? false;
      return match[1] === '!' ? !value : value;
    }),
  );
}

test('the Tasks view says "looking" until the look for features answers, then "none", "could not", or the tree', () => {
  const welcomeFor = (state: ScanState): string[] => {
    const keys = welcomeKeys(state);
    const context = {
      [ContextKey.activated]: true,
      [ContextKey.scanned]: keys.scanned,
      [ContextKey.hasTasks]: keys.hasTasks,
      [ContextKey.scanFailed]: keys.scanFailed,
    };
    return manifest.contributes.viewsWelcome
      .filter((w) => w.view === 'speckitOrchestra.tasks' && holds(w.when, context))
      .map((w) => w.contents);
  };
  const scanning = welcomeFor({ kind: 'scanning' });
  assert.equal(scanning.length, 1);
  assert.match(scanning[0] ?? '', /^Looking for spec-kit features/);
  assert.ok(!scanning.some((c) => /No spec-kit tasks\.md/.test(c)), 'never "none found" before the answer');
  const none = welcomeFor({ kind: 'done', features: 0 });
  assert.equal(none.length, 1);
  assert.match(none[0] ?? '', /^No spec-kit tasks\.md found/);
  assert.deepEqual(welcomeFor({ kind: 'done', features: 2 }), [], 'the tree itself shows');
  const failed = welcomeFor({ kind: 'failed', message: 'EACCES' });
  assert.equal(failed.length, 1);
  assert.match(failed[0] ?? '', /^Could not look through this workspace/);
  // Before activation nothing is claimed at all.
  assert.deepEqual(
    manifest.contributes.viewsWelcome.filter((w) => w.view === 'speckitOrchestra.tasks' && holds(w.when, {})),
    [],
  );
});

test('every model id the settings name as an example is one the engine uses by default', () => {
  const current = new Set(Object.values(DEFAULT_MODELS));
  const named = Object.entries(manifest.contributes.configuration.properties).flatMap(([key, property]) =>
    [...(property.markdownDescription ?? '').matchAll(/claude-[a-z]+-[\w-]+/g)].map((m) => [key, m[0]] as const),
  );
  assert.ok(named.length >= 6, 'the model settings give examples');
  for (const [key, model] of named) assert.ok(current.has(model), `${key} suggests ${model}, not a current model`);
  const problems = parseSettings((key) => (key === 'model.codeWriter' ? 'not a model id!' : undefined)).problems;
  const suggested = /such as "([^"]+)"/.exec(problems[0]?.message ?? '')?.[1];
  assert.ok(suggested !== undefined && current.has(suggested), `the settings warning suggests ${suggested}`);
});

test('the extension activates on every folder a feature task list can sit in, grouped features included', () => {
  const watched = manifest.activationEvents.flatMap((e) => (e.startsWith('workspaceContains:') ? [e.slice(18)] : []));
  for (const glob of FEATURE_DOCUMENT_GLOBS.tasks) {
    const tail = glob.replace(/^\*\*\//, '');
    const covered = watched.includes(tail) || watched.some((w) => tail.startsWith(`${w}/`));
    assert.ok(covered, `workspaceContains covers ${tail} (events: ${watched.join(', ')})`);
  }
});

test('the walkthrough: each step has its page in media/, buttons and completion events name real commands and keys', () => {
  const [walkthrough, ...others] = manifest.contributes.walkthroughs;
  assert.ok(walkthrough && others.length === 0, 'one walkthrough');
  assert.deepEqual(
    walkthrough.steps.map((s) => s.id),
    ['chooseModel', 'openProject', 'dryRun', 'firstTask', 'reviewDiff', 'rollBack'],
    'from a model to a rollback, in that order',
  );
  // A view's own focus command is the only kind of command the extension does not contribute.
  const runnable = (command: string): boolean =>
    commandIds.has(command) || (command.endsWith('.focus') && viewIds.has(command.slice(0, -'.focus'.length)));
  for (const step of walkthrough.steps) {
    const page = step.media.markdown;
    assert.ok(page?.startsWith('media/') && existsSync(join(repo, page)), `${step.id}: ${page} is shipped`);
    const buttons = [...step.description.matchAll(/\(command:([\w.-]+)\)/g)].map((m) => m[1] ?? '');
    assert.ok(buttons.length > 0, `${step.id} has a button`);
    for (const command of buttons) assert.ok(runnable(command), `${step.id}: ${command} runs`);
    assert.ok((step.completionEvents ?? []).length > 0, `${step.id} can complete`);
    for (const event of step.completionEvents ?? []) {
      const [kind, name = ''] = event.split(/:(.*)/s);
      if (kind === 'onCommand') assert.ok(runnable(name), `${step.id}: ${name} is a command`);
      else if (kind === 'onContext')
        assert.ok(knownContextKeys.has(name.replace(/^speckitOrchestra\./, '')), `${step.id}: ${name} is set`);
      else assert.fail(`${step.id}: ${event} is not an event this test knows`);
    }
  }
  const menus = Object.values(manifest.contributes.menus).flat();
  assert.ok(
    menus.some((m) => m.command === 'speckit-orchestra.openWalkthrough' && m.when === 'view == speckitOrchestra.tasks'),
    "the Tasks view's title opens it",
  );
});
