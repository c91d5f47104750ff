import type { RunPlan } from '../core/engine';
import { commandLine, countOf } from '../protocol/run-wording';

/**
 * The dry run as a Markdown document: what would run, in which order and parallel groups, by which role and
 * why, with the strategy and the cost forecast. Needs no key and calls no model; pure, so it is unit-tested.
 */
export function renderDryRun(plan: RunPlan): string {
  const taskById = new Map(plan.tasks.map((t) => [t.key, t]));
  const money = (n: number): string => `$${n.toFixed(2)}`;
  const lines: string[] = [
    `# Dry run: ${plan.feature.id}`,
    '',
    `Chosen by ${plan.feature.rule}${plan.feature.detail ? ` (${plan.feature.detail})` : ''}. Mode: ${plan.mode}.`,
    '',
    '## Cost forecast',
    '',
    `${money(plan.forecast.low)} – ${money(plan.forecast.high)}, expected ${money(plan.forecast.expected)} (about ${plan.forecast.inputTokens} input and ${plan.forecast.outputTokens} output tokens).`,
    ...plan.forecast.assumptions.map((a) => `- ${a}`),
    '',
    '## Strategy',
    '',
    `${plan.strategy.complexity} feature, up to ${countOf(plan.strategy.maxWorkers, 'worker')} at once.`,
    ...plan.strategy.why.map((w) => `- ${w}`),
    '',
    '## Schedule',
    '',
  ];
  lines.push(
    `User-story phases ${plan.storyParallelism.mode === 'parallel' ? 'side by side' : 'in order'}: ${plan.storyParallelism.reason}.`,
    '',
  );
  plan.schedule.forEach((step, i) => {
    const phase =
      step.phaseIndices.length === 0
        ? 'outside any phase'
        : step.phaseIndices.map((index) => plan.phases[index]?.title ?? `phase ${index + 1}`).join(' | ');
    lines.push(`${i + 1}. ${phase}${step.parallel && step.taskKeys.length > 1 ? ' — in parallel' : ''}`);
    for (const key of step.taskKeys) {
      const task = taskById.get(key);
      lines.push(
        task
          ? `   - ${task.id} → ${task.role} with \`${commandLine(task.commands)}\` (${task.roleReason})${task.alreadyDone ? ' — already done, skipped' : ''}: ${task.description}`
          : `   - ${key}`,
      );
    }
  });
  if (plan.criticalPath.taskKeys.length > 0) {
    lines.push('', `Critical path: ${plan.criticalPath.taskKeys.map((k) => taskById.get(k)?.id ?? k).join(' → ')}.`);
  }
  if (plan.commands.length > 0) {
    lines.push('', '## Commands', '');
    for (const c of plan.commands)
      lines.push(
        `- \`/${c.name}\` — ${c.description} (${c.source === 'built-in' ? 'built in' : `\`${c.source}\``}${c.allowedTools !== undefined ? `; tools: ${c.allowedTools.join(', ')}` : ''})`,
      );
  }
  if (plan.diagnostics.length > 0) {
    lines.push(
      '',
      '## Notes',
      '',
      ...plan.diagnostics.map(
        (d) =>
          `- ${d.severity}: ${d.message}${d.path ? ` (${d.path}${d.line !== undefined ? `:${d.line}` : ''})` : ''}`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
