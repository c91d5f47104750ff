import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  CONFIG_SECTION,
  KEYS_APPLIED_AT_RUN_START,
  MODEL_ROLE_FOR_WORKER,
} from '../../../src/extension/settings-parser';

const MODEL_ROLE_WORKERS = Object.keys(MODEL_ROLE_FOR_WORKER);

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, { markdownDescription?: string }> };
    views: Record<string, { id: string }[]>;
  };
}

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;
const commandIds = new Set(manifest.contributes.commands.map((c) => c.command));
const ownContextKeys = /\bspeckitOrchestra\.(\w+)\b/g;
const knownContextKeys = new Set(['activated', 'runActive', 'pendingEdits', 'interruptedRun', 'hasTasks']);
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
  for (const entries of Object.values(manifest.contributes.menus)) {
    for (const e of entries) {
      for (const match of (e.when ?? '').matchAll(ownContextKeys)) {
        const name = match[1] ?? '';
        assert.ok(
          knownContextKeys.has(name) || viewIds.has(`speckitOrchestra.${name}`),
          `${e.command}: unknown key speckitOrchestra.${name}`,
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
