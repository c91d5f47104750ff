// `npm run smoke:live`: the bundled example (examples/todo-api) implemented against the real Anthropic API, end
// to end, as a user runs it: the CLI built fresh from the sources, on a temporary copy of the example, every edit
// approved (`--approve all --yes`), with `--budget 0.50`: a hard ceiling at list prices (every send reserves its
// worst case first, so the run never spends past it). Afterwards the example's own tests (`npm test` in
// the copy) must pass. ANTHROPIC_BASE_URL is honoured as the CLI honours it (a gateway, or a local stand-in).
//
// Every role runs on the cheapest current model (SMOKE_LIVE_MODEL picks another), so the forecast fits under
// the cap: the dry run's forecast is printed first, and a forecast whose expected cost is over the cap fails at
// once, before any model call.
//
// Without ANTHROPIC_API_KEY it says why it skipped and exits 0. Exit 1: the run or the example's tests failed
// (the copy is kept and its path printed, with the run's journal in it).
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildOptions } from './bundles.mjs';

const SMOKE_BUDGET_USD = 0.5;
/** The cheapest current model by list price (a unit test checks it against the price table). */
const CHEAPEST_MODEL = 'claude-haiku-5-5';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUN_TIMEOUT_MS = Number(process.env.SMOKE_LIVE_TIMEOUT_MS) || 30 * 60_000;
const TESTS_TIMEOUT_MS = 5 * 60_000;

/** Runs a command in its own process group, its output shown as it comes and kept; killed at the deadline. */
function runStep(command, args, { cwd, env, timeoutMs, echo = true }) {
  return new Promise((resolveStep, reject) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => {
      output += chunk;
      stdout += chunk;
      if (echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
      if (echo) process.stderr.write(chunk);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${command}: ${error.message}`, { cause: error }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolveStep({ code: code ?? 1, signal, timedOut, output, stdout });
    });
  });
}

function withoutKey(env) {
  const { ANTHROPIC_API_KEY: _key, ...rest } = env;
  return rest;
}

/** What the CLI's last usage line says the run spent, e.g. `$0.31`; undefined when it printed none. */
function spentOf(output) {
  const all = [...output.matchAll(/(~?\$\d+\.\d+) of \$\d+\.\d+/g)];
  return all.at(-1)?.[1];
}

/** The dry run's forecast for the example on `model` (no model call, no key needed). */
async function forecastOf(cli, project, model) {
  const dry = await runStep(
    process.execPath,
    [cli, 'implement', '--workspace', project, '--dry-run', '--json', '--model', model],
    { cwd: project, env: withoutKey(process.env), timeoutMs: TESTS_TIMEOUT_MS, echo: false },
  );
  if (dry.code !== 0) throw new Error(`the dry run on ${model} failed (exit ${dry.code}): ${dry.output.trim()}`);
  return JSON.parse(dry.stdout).forecast;
}

async function main() {
  if ((process.env.ANTHROPIC_API_KEY ?? '').trim() === '') {
    console.log(
      `smoke:live skipped: ANTHROPIC_API_KEY is not set. It runs examples/todo-api against the real Anthropic API (at most $${SMOKE_BUDGET_USD.toFixed(2)}); set the key to run it.`,
    );
    return 0;
  }
  const work = await mkdtemp(join(tmpdir(), 'speckit-smoke-live-'));
  let keep = false;
  try {
    const cliDir = join(work, 'cli');
    await Promise.all(
      buildOptions({ outdir: cliDir, faces: ['cli'] }).map((options) =>
        build({ ...options, absWorkingDir: repoRoot, logLevel: 'warning' }),
      ),
    );
    const project = join(work, 'todo-api');
    await cp(join(repoRoot, 'examples', 'todo-api'), project, { recursive: true });
    const model = (process.env.SMOKE_LIVE_MODEL ?? '').trim() || CHEAPEST_MODEL;
    const forecast = await forecastOf(join(cliDir, 'cli.js'), project, model);
    console.log(
      `smoke:live: forecast on ${model}: $${forecast.lowUsd.toFixed(2)}–$${forecast.highUsd.toFixed(2)} (expected $${forecast.usd.toFixed(2)}); cap $${SMOKE_BUDGET_USD.toFixed(2)}`,
    );
    if (forecast.usd > SMOKE_BUDGET_USD) {
      console.error(
        `\nsmoke:live FAILED: the forecast's expected cost on ${model}, $${forecast.usd.toFixed(2)}, is over the $${SMOKE_BUDGET_USD.toFixed(2)} cap; no model was called. Choose a cheaper model with SMOKE_LIVE_MODEL.`,
      );
      return 1;
    }
    const api = process.env.ANTHROPIC_BASE_URL ? `the API at ${process.env.ANTHROPIC_BASE_URL}` : 'the Anthropic API';
    console.log(
      `smoke:live: implementing examples/todo-api with ${api} on ${model}, budget $${SMOKE_BUDGET_USD.toFixed(2)}, in ${project}`,
    );
    const run = await runStep(
      process.execPath,
      [
        join(cliDir, 'cli.js'),
        'implement',
        '--workspace',
        project,
        '--approve',
        'all',
        '--yes',
        '--model',
        model,
        '--budget',
        SMOKE_BUDGET_USD.toFixed(2),
      ],
      { cwd: project, env: process.env, timeoutMs: RUN_TIMEOUT_MS },
    );
    console.log("\nsmoke:live: the example's own tests (npm test)");
    const tests = await runStep('npm', ['test'], {
      cwd: project,
      env: { ...withoutKey(process.env), npm_config_update_notifier: 'false' },
      timeoutMs: TESTS_TIMEOUT_MS,
    });
    const spent = spentOf(run.output);
    const problems = [];
    if (run.timedOut) problems.push(`the run did not finish within ${RUN_TIMEOUT_MS / 60_000} min`);
    else if (run.code !== 0)
      problems.push(
        /budget/i.test(run.output)
          ? `the run stopped at the $${SMOKE_BUDGET_USD.toFixed(2)} budget before finishing (exit ${run.code})`
          : `the run failed (exit ${run.code})`,
      );
    if (tests.timedOut) problems.push(`the example's own tests did not finish within ${TESTS_TIMEOUT_MS / 60_000} min`);
    else if (tests.code !== 0) problems.push(`the example's own tests failed (npm test exited ${tests.code})`);
    const cost = spent === undefined ? '' : ` Spent ${spent} of $${SMOKE_BUDGET_USD.toFixed(2)}.`;
    if (problems.length > 0) {
      keep = true;
      console.error(`\nsmoke:live FAILED: ${problems.join('; ')}.${cost} The project is kept in ${project}.`);
      return 1;
    }
    console.log(`\nsmoke:live passed: every task done and the example's own tests pass.${cost}`);
    return 0;
  } finally {
    if (!keep) await rm(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`smoke:live: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
