// The scheduler under load: a 40-task plan with [P] groups, run through the real engine and the real SDK
// against the mock (in its own process) at a fixed latency, in one process with maxWorkers 8 and maxWorkers 1
// side by side: ROUNDS rounds, each a parallel run then a one-at-a-time run, medians printed (a shared
// machine's load moves single runs by ±10%; the load average is printed beside them).
// Prints the parallel makespan as a ratio to the critical-path lower bound (target ≤ 1.05) and the speedup
// over running the same plan one task at a time.
//
// Lower bound: the run's fixed cost (start to its first task, its last task to the result: journal, lock,
// hooks, the run's end) plus the longest chain of tasks × the mean time one task takes, both measured from the
// one-at-a-time run of the same round (so model latency, tool handling, journal and gate costs are all in it).
// The fixed cost is paid once whatever the schedule, so it is not spread over the tasks: counted per task it
// would be paid 40 times in the one-at-a-time run but only 15 in the bound, understating it. The bound
// bounds the schedule, not the engine's own cost per task; that cost shows beside it: the model-latency floor
// is the chain × the model calls a task makes × the time a call takes (both counted in the one-at-a-time run),
// the part of a task no engine can avoid, and the makespan's ratio to it is printed too (no target: fsyncs,
// the gate and the tick are a task's work as well).
//
// The model calls contend among themselves too: the SDK's work and the mock's share the machine's cores, so a
// [P] group's six tasks' calls at once take longer than one task's. The warm-up run's requests are replayed
// without the engine (one task's calls after another's, then the group's at once), and the ratio the schedule
// would reach were that its only contention is printed beside the target: about what an engine whose own work
// never slowed another task would measure here (about: in a run the calls of a group start less at once).
// A [P] group's step lasts as long as its slowest task, and one task's time varies (on a shared machine by
// ±15–30 ms of its ≈130): the critical path at the tasks' spread takes each group step as the expected slowest of
// six tasks drawn from the one-at-a-time run's task times, and the makespan's ratio to it is printed beside the
// target (no target: it tells the engine's contention apart from the machine's noise; drawn independently, it
// overstates the spread a group's tasks, slowed by the same load at once, really show).
// The CPU time the engine's process and the mock's took in the parallel runs is printed too: on two cores the
// mock's share is contention the engine does not cause.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { AnthropicProvider } from '../src/core/llm/anthropic-provider';
import { LlmGovernor } from '../src/core/llm/governor';
import { NodeWorkspace } from '../src/core/engine/workspace/node-workspace';
import { NodeCommandRunner } from '../src/core/engine/commands/node-command-runner';
import { createEngine } from '../src/core/engine';
import type { LlmProvider, LlmRequest } from '../src/core/llm/provider';

const PHASES = 5;
const GROUP = 6;
const LATENCY_MS = 40;
const WORKERS = 8;
/** Rounds of the model calls' replay (one task at a time, then a group at once), for medians on a shared machine. */
const REPLAY_ROUNDS = 7;
/** Rounds of the runs themselves (a parallel run, then a one-at-a-time run), for medians. */
const ROUNDS = 3;

/** Per phase: a setup task, a [P] group of six, a closing task — 8 tasks, a chain of 3; 40 tasks, a chain of 15. */
function tasksMarkdown(): string {
  const lines = ['# Tasks: bench', ''];
  let n = 0;
  const id = () => `T${String(++n).padStart(3, '0')}`;
  for (let p = 1; p <= PHASES; p++) {
    lines.push(`## Phase ${p}: Part ${p}`, '');
    lines.push(`- [ ] ${id()} Prepare part ${p} in \`src/p${p}/index.js\``);
    for (let g = 1; g <= GROUP; g++) lines.push(`- [ ] ${id()} [P] Module ${g} of part ${p} in \`src/p${p}/m${g}.js\``);
    lines.push(`- [ ] ${id()} Wire part ${p} in \`src/p${p}/wire.js\``, '');
  }
  return lines.join('\n');
}

interface RunTimes {
  ms: number;
  /** Start to the first task's start, and the last task's end to the result: what the run costs once. */
  fixedMs: number;
  /** CPU time the engine's process took during the run (user + system). */
  cpuMs: number;
  /** Each task's time, its start to its end. */
  taskMs: number[];
  done: number;
  outcome: string;
  /** Model calls made, and their summed wall time (request to full answer). */
  calls: number;
  callMs: number;
}

/** The calls a run made, by task id, in order: the requests as sent. */
type RecordedCalls = Map<string, LlmRequest[]>;

/** The provider, counting its calls and their time, and keeping each request when `record` is given. */
function timed(inner: LlmProvider, into: { calls: number; callMs: number }, record?: RecordedCalls): LlmProvider {
  return {
    id: inner.id,
    send: async (request, hooks, signal) => {
      if (record) {
        const task = /# Task (\S+?):/.exec(JSON.stringify(request.messages[0]?.content ?? ''))?.[1] ?? '?';
        record.set(task, [...(record.get(task) ?? []), structuredClone(request)]);
      }
      const started = performance.now();
      try {
        return await inner.send(request, hooks, signal);
      } finally {
        into.calls++;
        into.callMs += performance.now() - started;
      }
    },
  };
}

function provider(mockUrl: string): AnthropicProvider {
  return new AnthropicProvider({
    apiKey: async () => 'bench-key',
    baseURL: mockUrl,
    governor: new LlmGovernor({ maxConcurrent: WORKERS }),
  });
}

async function runOnce(mockUrl: string, maxWorkers: number, record?: RecordedCalls): Promise<RunTimes> {
  const dir = await mkdtemp(join(tmpdir(), 'orchestra-bench-'));
  try {
    await mkdir(join(dir, '.specify', 'memory'), { recursive: true });
    await mkdir(join(dir, 'specs', '001-bench'), { recursive: true });
    await writeFile(join(dir, 'specs', '001-bench', 'tasks.md'), tasksMarkdown());
    const calls = { calls: 0, callMs: 0 };
    const engine = createEngine({
      provider: timed(provider(mockUrl), calls, record),
      workspace: (root) => new NodeWorkspace(root),
      commandRunner: new NodeCommandRunner(),
      confirm: async () => true,
    });
    const plan = await engine.plan({
      root: dir,
      settings: { approvalPolicy: 'auto-approve-all', maxWorkers, validate: false },
    });
    const cpu = process.cpuUsage();
    const started = performance.now();
    const run = engine.start(plan);
    let firstTask: number | undefined;
    let lastTask = started;
    const taskStarts = new Map<string, number>();
    const taskMs: number[] = [];
    run.onEvent((event) => {
      if (event.type !== 'task-status') return;
      const now = performance.now();
      if (event.status === 'running') {
        firstTask ??= now;
        if (!taskStarts.has(event.taskKey)) taskStarts.set(event.taskKey, now);
      } else if (event.status === 'done') {
        lastTask = now;
        taskMs.push(now - (taskStarts.get(event.taskKey) ?? now));
      }
    });
    const result = await run.done;
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    return {
      ms,
      fixedMs: (firstTask ?? started) - started + (started + ms - lastTask),
      cpuMs: (used.user + used.system) / 1000,
      taskMs,
      done: result.tasks.done,
      outcome: result.outcome,
      ...calls,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Phase 1's [P] group's recorded calls replayed without the engine, REPLAY_ROUNDS times: the tasks one after
 * another (each task's calls in turn), then all at once. Medians of one task's time and of the group's.
 */
async function modelCallsAlone(mockUrl: string, recorded: RecordedCalls): Promise<{ oneMs: number; groupMs: number }> {
  const group = Array.from({ length: GROUP }, (_, i) => recorded.get(`T${String(i + 2).padStart(3, '0')}`) ?? []);
  if (group.some((calls) => calls.length === 0))
    throw new Error('the warm-up run made no call for a task of the group');
  const replay = provider(mockUrl);
  const never = new AbortController().signal;
  const task = async (calls: LlmRequest[]): Promise<void> => {
    for (const request of calls) await replay.send(request, {}, never);
  };
  const one: number[] = [];
  const all: number[] = [];
  for (let round = 0; round < REPLAY_ROUNDS; round++) {
    let started = performance.now();
    for (const calls of group) await task(calls);
    one.push((performance.now() - started) / GROUP);
    started = performance.now();
    await Promise.all(group.map(task));
    all.push(performance.now() - started);
  }
  return { oneMs: median(one), groupMs: median(all) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The mock's process's CPU time so far (user + system), in ms. */
function mockCpuMs(server: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the mock did not report its CPU time within 5 s')), 5000);
    server.once('message', (m: { cpuMs: number }) => {
      clearTimeout(timer);
      resolve(m.cpuMs);
    });
    server.send('cpu');
  });
}

interface Round {
  parallel: RunTimes;
  serial: RunTimes;
  /** The parallel run's CPU time in the mock's process. */
  mockCpuMs: number;
  lowerBound: number;
  ratio: number;
  /** The critical path of a schedule with no contention whose tasks take the one-at-a-time run's times. */
  spreadPath: number;
}

const TASKS = PHASES * (GROUP + 2);
const CHAIN = PHASES * 3;

async function round(mock: string, server: ChildProcess): Promise<Round> {
  const mockBefore = await mockCpuMs(server);
  const parallel = await runOnce(mock, WORKERS);
  const mockAfter = await mockCpuMs(server);
  const serial = await runOnce(mock, 1);
  const perTask = (serial.ms - serial.fixedMs) / TASKS;
  const lowerBound = serial.fixedMs + CHAIN * perTask;
  // A [P] group's step lasts as long as its slowest task: drawn from the one-at-a-time run's task times, that is
  // longer than the mean a task takes, by more the more those times spread.
  const slowestOfGroup = expectedMaxOf(serial.taskMs, GROUP) - mean(serial.taskMs);
  const spreadPath = serial.fixedMs + PHASES * (3 * perTask + slowestOfGroup);
  return {
    parallel,
    serial,
    mockCpuMs: mockAfter - mockBefore,
    lowerBound,
    ratio: parallel.ms / lowerBound,
    spreadPath,
  };
}

/** The expected largest of `draws` values drawn at random (with replacement) from `sample`. */
function expectedMaxOf(sample: readonly number[], draws: number): number {
  const sorted = [...sample].sort((a, b) => a - b);
  const n = sorted.length;
  // P(max = the i-th smallest) = (i/n)^draws − ((i−1)/n)^draws.
  return sorted.reduce((sum, value, i) => sum + value * (((i + 1) / n) ** draws - (i / n) ** draws), 0);
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

function spread(values: readonly number[]): number {
  const average = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - average) ** 2, 0) / Math.max(1, values.length));
}

export async function run(): Promise<void> {
  const server = fork(join(__dirname, 'engine-mock-worker.ts'), [String(LATENCY_MS)], {
    execArgv: ['--import', 'tsx'],
  });
  const mock = await new Promise<string>((resolve, reject) => {
    server.once('message', (m: { url: string }) => resolve(m.url));
    server.once('error', reject);
  });
  try {
    const loadBefore = loadavg()[0] ?? Number.NaN;
    const recorded: RecordedCalls = new Map();
    await runOnce(mock, WORKERS, recorded); // warm-up: module loading, JIT, the prompt cache's first write
    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await round(mock, server));
    const alone = await modelCallsAlone(mock, recorded);
    const loadAfter = loadavg()[0] ?? Number.NaN;
    const of = (pick: (r: Round) => number): number => median(rounds.map(pick));
    const parallelMs = of((r) => r.parallel.ms);
    const serialMs = of((r) => r.serial.ms);
    const fixedMs = of((r) => r.serial.fixedMs);
    const perTask = of((r) => (r.serial.ms - r.serial.fixedMs) / TASKS);
    const lowerBound = of((r) => r.lowerBound);
    const ratio = of((r) => r.ratio);
    const callsPerTask = of((r) => r.serial.calls / TASKS);
    const msPerCall = of((r) => r.serial.callMs / Math.max(1, r.serial.calls));
    const floor = CHAIN * callsPerTask * msPerCall;
    const speedup = of((r) => r.serial.ms / r.parallel.ms);
    const last = rounds[rounds.length - 1];
    console.log(
      `plan: ${TASKS} tasks, critical path ${CHAIN} tasks, mock latency ${LATENCY_MS} ms per call, ${WORKERS} workers; medians of ${ROUNDS} rounds; load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} on ${availableParallelism()} cores`,
    );
    if (last)
      console.log(
        `runs: parallel ${last.parallel.outcome} ${last.parallel.done}/${TASKS}, one-at-a-time ${last.serial.outcome} ${last.serial.done}/${TASKS}`,
      );
    console.log(`makespan, ${WORKERS} workers               ${parallelMs.toFixed(0).padStart(7)} ms`);
    console.log(
      `makespan, 1 worker                ${serialMs.toFixed(0).padStart(7)} ms  (${fixedMs.toFixed(0)} ms the run's fixed cost + ${perTask.toFixed(1)} ms a task)`,
    );
    console.log(
      `critical-path lower bound         ${lowerBound.toFixed(0).padStart(7)} ms  (${fixedMs.toFixed(0)} + ${CHAIN} × ${perTask.toFixed(1)})`,
    );
    console.log(
      `makespan / lower bound            ${ratio.toFixed(2).padStart(7)}×   target ≤ 1.05 ${ratio <= 1.05 ? 'ok' : 'OVER'}  (rounds: ${rounds.map((r) => r.ratio.toFixed(2)).join(', ')})`,
    );
    const spreadPath = of((r) => r.spreadPath);
    console.log(
      `critical path at the tasks' spread ${spreadPath.toFixed(0).padStart(7)} ms  (a [P] group waits for its slowest task: one task takes ${perTask.toFixed(0)} ± ${of((r) => spread(r.serial.taskMs)).toFixed(0)} ms one at a time)`,
    );
    console.log(
      `makespan / that                   ${(parallelMs / spreadPath).toFixed(2).padStart(7)}×   (no target: what the engine's contention adds beyond the tasks' own spread)`,
    );
    console.log(
      `model-latency floor                ${floor.toFixed(0).padStart(7)} ms  (${CHAIN} × ${callsPerTask.toFixed(1)} calls × ${msPerCall.toFixed(1)} ms)`,
    );
    console.log(`makespan / model-latency floor     ${(parallelMs / floor).toFixed(2).padStart(7)}×`);
    // Each phase's group step would take one task's time plus what the group's calls lose to each other.
    const callsOnlyRatio = 1 + (PHASES * Math.max(0, alone.groupMs - alone.oneMs)) / lowerBound;
    console.log(
      `model calls alone, replayed        ${alone.oneMs.toFixed(0).padStart(7)} ms a task, ${alone.groupMs.toFixed(0)} ms a [P] group of ${GROUP} at once (${(alone.groupMs / alone.oneMs).toFixed(2)}×)`,
    );
    console.log(
      `makespan / bound, only calls contending ${callsOnlyRatio.toFixed(2).padStart(6)}×   (what an engine that never slowed its own tasks would show)`,
    );
    console.log(
      `CPU in a parallel run             ${of((r) => r.parallel.cpuMs)
        .toFixed(0)
        .padStart(
          7,
        )} ms the engine's process, ${of((r) => r.mockCpuMs).toFixed(0)} ms the mock's (${(of((r) => r.parallel.cpuMs) / parallelMs).toFixed(2)} and ${(of((r) => r.mockCpuMs) / parallelMs).toFixed(2)} of a core)`,
    );
    console.log(
      `speedup over one at a time        ${speedup.toFixed(2).padStart(7)}×   ideal ${(TASKS / CHAIN).toFixed(2)}× (${TASKS}/${CHAIN})`,
    );
  } finally {
    server.send('close');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}
