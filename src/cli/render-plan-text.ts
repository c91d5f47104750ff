import { join, relative } from 'node:path';
import type { RunPlan } from '../core/engine';
import { formatTokens } from './event-lines';
import { commandLine, countOf, formatUsd } from '../protocol/run-wording';
import type { TextStyle } from './render-tasks-text';

/** The dry run: the schedule (phases, parallel groups, worker role per task and why), strategy and forecast. */
export function renderPlanText(plan: RunPlan, cwd: string, style: TextStyle): string {
  const out: string[] = [];
  const shown = (path: string): string => {
    const rel = relative(cwd, path);
    return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
  };
  const byKey = new Map(plan.tasks.map((t) => [t.key, t]));
  const todo = plan.tasks.filter((t) => !t.alreadyDone);

  out.push(`${style.heading(`Plan for ${plan.feature.id}`)}  ${style.dim(shown(plan.feature.dir))}`);
  out.push(
    `  ${plan.mode === 'fallback' ? 'fallback plan drafted from the request' : `chosen by ${plan.feature.rule}${plan.feature.detail !== undefined ? `: ${plan.feature.detail}` : ''}`}`,
  );
  out.push(
    `  ${shown(plan.feature.tasksPath)}: ${plan.tasks.length} tasks, ${plan.tasks.length - todo.length} done already, ${todo.length} to do`,
  );

  out.push('', style.heading('Schedule'));
  if (plan.schedule.length === 0) out.push('  nothing to do');
  out.push(`  user-story phases ${storyParallelismWords(plan)}`);
  let phasesShown: string | undefined;
  plan.schedule.forEach((step, index) => {
    const phases = phasesOfStep(plan, step);
    if (phases !== phasesShown) {
      phasesShown = phases;
      out.push(`  ${phases}`);
    }
    const how = step.parallel ? style.accent(`in parallel (${step.taskKeys.length})`) : 'alone';
    out.push(`    step ${index + 1}, ${how}:`);
    for (const key of step.taskKeys) {
      const task = byKey.get(key);
      if (!task) continue;
      out.push(`      ${task.id} ${style.accent(task.role)} ${commandLine(task.commands)}  ${task.description}`);
      out.push(
        style.dim(
          `           why ${task.role}: ${task.roleReason}${task.files.length > 0 ? `; files: ${task.files.join(', ')}` : ''}`,
        ),
      );
    }
  });
  if (plan.criticalPath.taskKeys.length > 0) {
    const ids = plan.criticalPath.taskKeys.map((k) => byKey.get(k)?.id ?? k);
    out.push(`  critical path (${plan.criticalPath.length}): ${ids.join(' -> ')}`);
  }

  if (plan.commands.length > 0) {
    out.push('', style.heading('Commands'));
    for (const c of plan.commands) {
      const from = c.source === 'built-in' ? 'built in' : shown(join(plan.root, c.source));
      const tools = c.allowedTools !== undefined ? `; tools: ${c.allowedTools.join(', ')}` : '';
      out.push(`  /${c.name.padEnd(22)} ${c.description} ${style.dim(`(${from}${tools})`)}`);
    }
  }

  out.push('', style.heading('Strategy'));
  out.push(
    `  ${plan.strategy.complexity} feature: up to ${countOf(plan.strategy.maxWorkers, 'worker')} at once; approval policy ${plan.settings.approvalPolicy}`,
  );
  for (const [role, model] of Object.entries(plan.strategy.modelByRole)) out.push(`  ${role.padEnd(28)} ${model}`);
  for (const why of plan.strategy.why) out.push(style.dim(`  ${why}`));

  out.push('', style.heading('Cost forecast'));
  const f = plan.forecast;
  out.push(
    `  ${formatUsd(f.low)} – ${formatUsd(f.high)} (expected ${formatUsd(f.expected)}); about ${formatTokens(f.inputTokens)} input and ${formatTokens(f.outputTokens)} output tokens`,
  );
  if (plan.settings.budgetUsd !== undefined) out.push(`  budget: ${formatUsd(plan.settings.budgetUsd)}`);
  for (const a of f.assumptions) out.push(style.dim(`  ${a}`));

  const unchecked = plan.checklists.filter((c) => c.unchecked > 0);
  if (plan.hooks.length > 0 || unchecked.length > 0) {
    out.push('', style.heading('Before the run'));
    for (const c of unchecked)
      out.push(
        `  ${style.warn('checklist')} ${shown(c.file)}: ${c.unchecked} of ${c.total} items unchecked (you are asked to confirm)`,
      );
    for (const h of plan.hooks)
      out.push(
        `  ${h.optional ? 'optional' : style.warn('mandatory')} ${h.event} hook: ${h.command}${h.description !== undefined ? ` — ${h.description}` : ''}`,
      );
  }
  if (plan.diagnostics.length > 0) {
    out.push('', style.warn(`Notes (${plan.diagnostics.length})`));
    for (const d of plan.diagnostics) {
      const where = d.path !== undefined ? `${shown(d.path)}${d.line !== undefined ? `:${d.line}` : ''}: ` : '';
      out.push(`  ${d.severity === 'information' ? 'info' : style.warn(d.severity)} ${where}${d.message}`);
    }
  }
  if (plan.draftTasksMarkdown !== undefined)
    out.push('', style.heading('Drafted tasks.md'), plan.draftTasksMarkdown.trimEnd());
  return `${out.join('\n')}\n`;
}

/** The phases a schedule step runs tasks of, by title ("outside any phase" for tasks under no phase heading). */
export function phasesOfStep(plan: RunPlan, step: RunPlan['schedule'][number]): string {
  if (step.phaseIndices.length === 0) return 'outside any phase';
  return step.phaseIndices.map((index) => plan.phases[index]?.title ?? `Phase ${index + 1}`).join(' | ');
}

/** "side by side: the file says …" / "in order: …". */
export function storyParallelismWords(plan: RunPlan): string {
  const { mode, reason } = plan.storyParallelism;
  return `${mode === 'parallel' ? 'side by side' : 'in order'}: ${reason}`;
}
