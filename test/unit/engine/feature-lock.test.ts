import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { lockFeature } from '../../../src/core/engine/journal/feature-lock';
import { tempProject } from './temp-dir';

const lost = (): void => assert.fail('the lock was lost');

test('one holder per feature: a second run is told who holds it; after release it is free', async () => {
  const stateDir = join(await tempProject({}), '.specify/orchestra');
  const first = await lockFeature({ stateDir, featureId: '001-demo', runId: 'run-a', onLost: lost });
  assert.equal(first.kind, 'held');
  const second = await lockFeature({ stateDir, featureId: '001-demo', runId: 'run-b', onLost: lost });
  assert.equal(second.kind, 'busy');
  if (second.kind === 'busy') {
    assert.equal(second.owner?.pid, process.pid);
    assert.match(second.message, /001-demo is being implemented by run run-a \(process \d+ on .+, since .+\)/);
  }
  const other = await lockFeature({ stateDir, featureId: '002-other', runId: 'run-c', onLost: lost });
  assert.equal(other.kind, 'held', 'another feature is not held by it');
  if (first.kind === 'held') await first.release();
  if (other.kind === 'held') await other.release();
  const third = await lockFeature({ stateDir, featureId: '001-demo', runId: 'run-d', onLost: lost });
  assert.equal(third.kind, 'held');
  if (third.kind === 'held') await third.release();
  assert.ok(existsSync(join(stateDir, '.gitignore')), 'the state folder stays out of commits');
});

test(
  'a holder killed with -9 leaves its lock behind; the next run takes it over at once (its pid is gone)',
  { timeout: 60_000 },
  async () => {
    const stateDir = join(await tempProject({}), '.specify/orchestra');
    const module = join(__dirname, '../../../src/core/engine/journal/feature-lock.ts');
    const script = `require(${JSON.stringify(module)}).lockFeature({ stateDir: ${JSON.stringify(stateDir)}, featureId: '001-demo', runId: 'killed', staleMs: 2000, onLost() {} }).then((r) => { console.log(r.kind); setInterval(() => {}, 1000); })`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const busy = await lockFeature({ stateDir, featureId: '001-demo', runId: 'next', staleMs: 2000, onLost: lost });
    assert.equal(busy.kind, 'busy', 'held while its holder lives');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const started = performance.now();
    const taken = await lockFeature({ stateDir, featureId: '001-demo', runId: 'next', staleMs: 2000, onLost: lost });
    assert.equal(taken.kind, 'held', 'taken over');
    assert.ok(performance.now() - started < 1_000, 'no wait for a holder known to be dead');
    if (taken.kind === 'held') await taken.release();
  },
);
