/**
 * What a run spends: one ledger per run with its budgets; every model call is booked per role and task,
 * journaled (appended before the worker gets the answer, so on disk before anything the run records after it)
 * and shown. A resumed run starts from what its
 * earlier sessions spent, which counts against the same budgets.
 */
import { addUsageTotals, zeroUsageTotals, type UsageTotals, type WorkerRole } from '../../../protocol/engine-events';
import { MeteredProvider } from '../../llm/metered-provider';
import type { LlmProvider } from '../../llm/provider';
import { UsageLedger, type Budgets, type UsageRecord } from '../../llm/usage-ledger';
import type { EngineSettings } from '../facade-types';
import type { RunContext } from './run-context';

export interface RunUsage {
  /** The run's provider: refuses calls over a budget, books every call. */
  readonly provider: LlmProvider;
  totals(): UsageTotals;
  byTask(): Record<string, UsageTotals>;
}

function budgetsOf(settings: EngineSettings): Budgets {
  return {
    ...(settings.budgetUsd !== undefined ? { runUsd: settings.budgetUsd } : {}),
    ...(settings.budgetPerRoleUsd !== undefined ? { perRoleUsd: settings.budgetPerRoleUsd } : {}),
  };
}

/**
 * The provider the fallback plan is drafted with, before any run (or journal) exists: held to the same budgets,
 * so the planning call cannot cross them either. Its usage is booked into the run's ledger when the run starts.
 */
export function meteredForPlanning(provider: LlmProvider, settings: EngineSettings): LlmProvider {
  return new MeteredProvider(provider, new UsageLedger(settings.prices ?? {}, budgetsOf(settings)));
}

export async function meterUsage(ctx: RunContext): Promise<RunUsage> {
  const { settings, resume } = ctx;
  const ledger = new UsageLedger(settings.prices ?? {}, budgetsOf(settings));
  if (resume)
    ledger.carryOver({
      runUsd: resume.state.usage.costUsd,
      byRoleUsd: Object.fromEntries([...resume.state.usageByRole].map(([role, spent]) => [role, spent.costUsd])),
    });
  let totals: UsageTotals = resume ? resume.state.usage : zeroUsageTotals();
  const byRole: Partial<Record<WorkerRole, UsageTotals>> = resume ? Object.fromEntries(resume.state.usageByRole) : {};
  const byTask: Record<string, UsageTotals> = resume ? Object.fromEntries(resume.state.usageByTask) : {};

  const book = async (record: UsageRecord): Promise<void> => {
    const usage: UsageTotals = { ...record.usage, costUsd: record.costUsd };
    const { role, taskKey } = record.meta;
    totals = addUsageTotals(totals, usage);
    byRole[role] = addUsageTotals(byRole[role] ?? zeroUsageTotals(), usage);
    if (taskKey !== undefined) byTask[taskKey] = addUsageTotals(byTask[taskKey] ?? zeroUsageTotals(), usage);
    ctx.events.emit({ type: 'usage', totals, byRole: { ...byRole }, byTask: { ...byTask } });
    // In the journal before the worker gets the answer, on disk while it reads it: not awaited, since whatever
    // the answer leads to that the run records comes after it in the journal (which keeps order), and a journal
    // that cannot be written stops the run (`ctx.append` halts it; nothing else is to be done here).
    ctx
      .append({
        type: 'usage',
        at: ctx.at(),
        role,
        ...(taskKey !== undefined ? { taskKey } : {}),
        model: record.model,
        usage,
      })
      .catch(() => undefined);
  };

  // The fallback plan's model call was made before this journal existed: book it first, against the budget too.
  const planning = ctx.plan.planningCall;
  if (planning && !resume) await book(ledger.record({ role: 'task-orchestrator' }, planning.model, planning.usage));

  return {
    provider: new MeteredProvider(ctx.ports.provider, ledger, book),
    totals: () => totals,
    byTask: () => ({ ...byTask }),
  };
}
