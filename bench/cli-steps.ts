// `speckit-orchestra tasks` as the CLI runs it, one step at a time, in a cold process of its own: where a
// one-shot run's time goes (cli-start.bench.ts builds this file like the CLI and runs it beside the CLI).
// Prints one JSON line on stderr: per step, the wall time and the CPU time of all the process's threads (the
// garbage collector's and the compiler's helpers included), in ms. The command's own output goes to stdout.
import type { CliIo } from '../src/cli/cli-io';
import { chooseFeatureForCli, UsageProblem } from '../src/cli/feature-argument';
import { chooseStyle, renderTasksText } from '../src/cli/render-tasks-text';
import { taskDependencies } from '../src/cli/task-dependencies';
import { reportOf } from '../src/cli/tasks-command';
import { parseTasks, redactSecrets, withTaskPathsPlaced } from '../src/core/engine/light';

export interface StepTime {
  readonly wallMs: number;
  readonly cpuMs: number;
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function main(): Promise<void> {
  const times: Record<string, StepTime> = {};
  let wall = performance.now();
  let cpu = cpuMs();
  const lap = (step: string): void => {
    const nowWall = performance.now();
    const nowCpu = cpuMs();
    times[step] = { wallMs: nowWall - wall, cpuMs: nowCpu - cpu };
    wall = nowWall;
    cpu = nowCpu;
  };
  const signal = new AbortController().signal;
  const io: CliIo = { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr };
  const chosen = await chooseFeatureForCli([], undefined, io, signal);
  if (chosen instanceof UsageProblem) throw new Error(chosen.message);
  const { feature, text } = chosen;
  lap('find + read');
  const parsed = parseTasks(text);
  lap('parse');
  const document = await withTaskPathsPlaced(parsed, {
    projectRoot: feature.projectRoot,
    tasksPath: feature.tasksPath,
  });
  lap('place paths');
  const dependencies = taskDependencies(document);
  lap('graph');
  const report = await reportOf(chosen, document, dependencies, signal);
  lap('report');
  const rendered = renderTasksText(report, dependencies.ready, io.cwd, chooseStyle(false, io.env));
  lap('render');
  process.stdout.write(redactSecrets(rendered));
  lap('redact + write');
  process.stderr.write(`${JSON.stringify(times)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
