/**
 * Every model call's usage, booked per role, per task and per model, priced at the configured rates, and
 * the budgets that stop new calls once spent. A call already under way is always allowed to finish and is
 * recorded: a budget stops the next call, it never throws away work that was paid for.
 */
import type { WorkerRole } from '../../protocol/engine-events';
import { LlmBudgetExceededError } from './errors';
import { costUsd, priceFor, type PriceTable } from './prices';
import { addUsage, zeroUsage, type LlmCallMeta, type LlmUsage } from './provider';

export interface UsageRecord {
  meta: LlmCallMeta;
  model: string;
  usage: LlmUsage;
  costUsd: number;
}

export interface UsageTotal {
  usage: LlmUsage;
  costUsd: number;
  calls: number;
}

export interface Budgets {
  runUsd?: number;
  perRoleUsd?: Partial<Record<WorkerRole, number>>;
}

function emptyTotal(): UsageTotal {
  return { usage: zeroUsage(), costUsd: 0, calls: 0 };
}

function addTo(map: Map<string, UsageTotal>, key: string, record: UsageRecord): void {
  const total = map.get(key) ?? emptyTotal();
  map.set(key, { usage: addUsage(total.usage, record.usage), costUsd: total.costUsd + record.costUsd, calls: total.calls + 1 });
}

export class UsageLedger {
  private readonly records: UsageRecord[] = [];
  private total = emptyTotal();
  private readonly roles = new Map<string, UsageTotal>();
  private readonly tasks = new Map<string, UsageTotal>();
  private readonly models = new Map<string, UsageTotal>();
  private readonly listeners = new Set<(record: UsageRecord) => void>();

  constructor(
    private readonly prices: PriceTable = {},
    private readonly budgets: Budgets = {},
  ) {}

  record(meta: LlmCallMeta, model: string, usage: LlmUsage): UsageRecord {
    const record: UsageRecord = { meta, model, usage, costUsd: costUsd(usage, priceFor(model, this.prices)) };
    this.records.push(record);
    this.total = { usage: addUsage(this.total.usage, usage), costUsd: this.total.costUsd + record.costUsd, calls: this.total.calls + 1 };
    addTo(this.roles, meta.role, record);
    if (meta.taskKey !== undefined) addTo(this.tasks, meta.taskKey, record);
    addTo(this.models, model, record);
    for (const listener of this.listeners) listener(record);
    return record;
  }

  /** Subscribe to each record as it is booked (the engine turns them into `usage` events and journal lines). */
  onDidRecord(listener: (record: UsageRecord) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Throws `LlmBudgetExceededError` when the run's or the role's budget is already spent. */
  assertWithinBudget(role: WorkerRole): void {
    const run = this.budgets.runUsd;
    if (run !== undefined && this.total.costUsd >= run) {
      throw new LlmBudgetExceededError(
        `Run budget of $${run.toFixed(2)} reached ($${this.total.costUsd.toFixed(4)} spent): no new model calls are made. ` +
          'Work done so far is kept; raise the budget and resume the run to continue.',
        { type: 'run' },
        run,
        this.total.costUsd,
      );
    }
    const roleLimit = this.budgets.perRoleUsd?.[role];
    const roleSpent = this.roles.get(role)?.costUsd ?? 0;
    if (roleLimit !== undefined && roleSpent >= roleLimit) {
      throw new LlmBudgetExceededError(
        `Budget for the ${role} role of $${roleLimit.toFixed(2)} reached ($${roleSpent.toFixed(4)} spent): no new ${role} calls are made. ` +
          'Work done so far is kept; raise the budget and resume the run to continue.',
        { type: 'role', role },
        roleLimit,
        roleSpent,
      );
    }
  }

  get totals(): UsageTotal {
    return this.total;
  }
  byRole(): ReadonlyMap<string, UsageTotal> {
    return this.roles;
  }
  byTask(): ReadonlyMap<string, UsageTotal> {
    return this.tasks;
  }
  byModel(): ReadonlyMap<string, UsageTotal> {
    return this.models;
  }
  all(): readonly UsageRecord[] {
    return this.records;
  }
}
