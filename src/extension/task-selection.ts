import type { RunPlan } from '../core/engine';

export interface UnfinishedDependencies {
  taskId: string;
  /** Ids of the tasks it depends on that are neither done nor selected. */
  missing: string[];
}

/**
 * The unfinished tasks a selection depends on but leaves out. The engine runs exactly the selected tasks and
 * treats the rest as settled, so these are not run first: the user is told, not surprised.
 */
export function unfinishedDependencies(
  plan: Pick<RunPlan, 'tasks'>,
  onlyTasks: readonly string[],
): UnfinishedDependencies[] {
  const byKey = new Map(plan.tasks.map((t) => [t.key, t]));
  const selected = new Set(onlyTasks);
  return plan.tasks
    .filter((t) => selected.has(t.id) || selected.has(t.key))
    .map((t) => ({
      taskId: t.id,
      missing: t.dependsOn.flatMap((key) => {
        const dependency = byKey.get(key);
        return dependency &&
          dependency.status !== 'done' &&
          !selected.has(dependency.id) &&
          !selected.has(dependency.key)
          ? [dependency.id]
          : [];
      }),
    }))
    .filter((t) => t.missing.length > 0);
}

/** One sentence for the user and the log; undefined when every dependency is done or selected too. */
export function describeUnfinishedDependencies(
  unmet: readonly UnfinishedDependencies[],
  selected: number,
): string | undefined {
  if (unmet.length === 0) return undefined;
  const text = unmet.map((u) => `${u.taskId} depends on ${u.missing.join(', ')}`).join('; ');
  const only = selected === 1 ? 'Only the selected task runs' : 'Only the selected tasks run';
  return `${text}, not done yet. ${only}; run the dependencies (or their phase) first if the work needs them.`;
}
