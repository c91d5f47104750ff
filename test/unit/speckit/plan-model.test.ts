import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parsePlan } from '../../../src/core/speckit/plan-model';
import { fixtureProjectsDir } from './fixture-projects';

const realDir = resolve(__dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'real-tasks');
const skipReal = existsSync(realDir) ? false : `real-world fixtures not found at ${realDir}`;

test('technical context fields and the project structure tree', () => {
  const plan = parsePlan(
    readFileSync(join(fixtureProjectsDir, 'numbered', 'specs', '001-user-auth', 'plan.md'), 'utf8'),
  );
  assert.equal(plan.title, 'User Authentication');
  assert.deepEqual(
    {
      language: plan.language,
      deps: plan.primaryDependencies,
      storage: plan.storage,
      testing: plan.testing,
      platform: plan.targetPlatform,
      type: plan.projectType,
    },
    {
      language: 'Python 3.12',
      deps: 'FastAPI, SQLAlchemy',
      storage: 'PostgreSQL',
      testing: 'pytest',
      platform: 'Linux server',
      type: 'web',
    },
  );
  assert.deepEqual(plan.technicalContext.at(-1), { name: 'Performance Goals', value: 'NEEDS CLARIFICATION', line: 11 });
  assert.deepEqual(plan.structurePaths, [
    'src/',
    'src/models/',
    'src/models/item.py',
    'src/services/',
    'src/services/item_service.py',
    'tests/',
    'tests/contract/',
    'tests/integration/',
  ]);
});

test('a plan without those sections is empty, not an error', () => {
  assert.deepEqual(parsePlan('# Implementation Plan: X\n'), { title: 'X', technicalContext: [], structurePaths: [] });
});

test('real plan.md files', { skip: skipReal }, () => {
  const plan = parsePlan(
    readFileSync(join(realDir, 'sheenalunatics__kb_speckit_demo__001-kanban-board.plan.md'), 'utf8'),
  );
  assert.equal(plan.language, 'TypeScript 5.x, Node.js 20.x LTS');
  assert.equal(plan.projectType, 'Web application (full-stack Next.js)');
  assert.equal(plan.technicalContext.length, 9);
  assert.ok(plan.structurePaths.includes('specs/001-kanban-board/contracts/api-spec.yaml'));
  assert.ok(plan.structurePaths.includes('kanban-board/src/app/api/tasks/[id]/route.ts'));
  const ui = parsePlan(readFileSync(join(realDir, 'GutMutCode__spec-life__002-ui.plan.md'), 'utf8'));
  assert.equal(ui.testing, 'Vitest 1.3.1 (unit), Playwright 1.42.1 (E2E), Testing Library 14.2.1 (React)');
  assert.ok(ui.structurePaths.includes('frontend/src/hooks/useFocusTrap.ts'));
});
