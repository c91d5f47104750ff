/**
 * A one-feature project where a real run (the engine against the wire mock) did T001 and T002, each creating
 * the file it names, and left T003 open: evidence for the CLI's and the language server's tests.
 */
import assert from 'node:assert/strict';
import {
  complete,
  filesNamed,
  makeProject,
  startHarness,
  testSettings,
  toolCall,
  turnOf,
  type Harness,
} from '../engine/run/harness';

export const EVIDENCED_TASKS =
  '# Tasks\n\n## Phase 1: Core\n\n- [ ] T001 Create `src/a.js`\n- [ ] T002 Create `src/b.js`\n- [ ] T003 Later\n';

export async function evidencedProject(): Promise<{ dir: string; harness: Harness; runId: string }> {
  const dir = await makeProject(EVIDENCED_TASKS);
  const harness = await startHarness({ dir });
  harness.mock.setHandler((request) => {
    const [path] = filesNamed(request);
    return turnOf(request) === 0 && path
      ? toolCall('propose_edit', { kind: 'create', path, content: `// ${path}\n` })
      : complete(path ? [path] : []);
  });
  const run = harness.engine.start({
    root: dir,
    settings: { ...testSettings, validate: false },
    onlyTasks: ['T001', 'T002'],
  });
  assert.equal((await run.done).outcome, 'completed');
  return { dir, harness, runId: run.id };
}
