/**
 * Every model call's usage, booked per role, per task and per model, priced at the configured rates, and
 * the budgets that stop new calls once spent. A call already under way is always allowed to finish and is
 * recorded: a budget stops the next call, it never throws away work that was paid for.
 */
import {
  addUsageTotals,
  zeroUsageTotals,
  type LlmUsage,
  type UsageTotals,
  type WorkerRole,
} from '../../protocol/engine-events';
import { LlmBudgetExceededError } from './errors';
import { DEFAULT_MODELS } from './models';
import { costUsd, priceFor, type PriceTable } from './prices';
import type { LlmCallMeta } from './provider';

export interface UsageRecord {
  meta: LlmCallMeta;
  model: string;
  usage: LlmUsage;
  costUsd: number;
}

/** Usage summed over calls (one role's, one task's, one model's, the run's), with how many calls. */
export interface LedgerTotal extends UsageTotals {
  calls: number;
}

export interface Budgets {
  runUsd?: number;
  perRoleUsd?: Partial<Record<WorkerRole, number>>;
}

/**
 * Per-role budgets from settings (unknown JSON): `{ "reviewer": 0.5, "documenter": 0.2 }`. Entries that are not a
 * known role with a non-negative amount are reported and left out; `0` means the role makes no calls.
 */
export function parseRoleBudgets(raw: unknown): { budgets: Partial<Record<WorkerRole, number>>; problems: string[] } {
  const budgets: Partial<Record<WorkerRole, number>> = {};
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { budgets, problems };
  if (typeof raw !== 'object' || Array.isArray(raw))
    return { budgets, problems: ['role budgets must be an object keyed by role, e.g. { "reviewer": 0.5 }'] };
  for (const [role, amount] of Object.entries(raw as Record<string, unknown>)) {
    if (!isWorkerRole(role)) {
      problems.push(`${role}: not a role (${Object.keys(DEFAULT_MODELS).join(', ')})`);
      continue;
    }
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
      problems.push(`${role}: the budget must be a non-negative amount of US dollars`);
      continue;
    }
    budgets[role] = amount;
  }
  return { budgets, problems };
}

function isWorkerRole(name: string): name is WorkerRole {
  return Object.hasOwn(DEFAULT_MODELS, name);
}

function emptyTotal(): LedgerTotal {
  return { ...zeroUsageTotals(), calls: 0 };
}

function withRecord(total: LedgerTotal, record: UsageRecord): LedgerTotal {
  return { ...addUsageTotals(total, { ...record.usage, costUsd: record.costUsd }), calls: total.calls + 1 };
}

function addTo(map: Map<string, LedgerTotal>, key: string, record: UsageRecord): void {
  map.set(key, withRecord(map.get(key) ?? emptyTotal(), record));
}

export class UsageLedger {
  private readonly records: UsageRecord[] = [];
  private total = emptyTotal();
  private readonly roles = new Map<string, LedgerTotal>();
  private readonly tasks = new Map<string, LedgerTotal>();
  private readonly models = new Map<string, LedgerTotal>();
  private carriedRunUsd = 0;
  private readonly carriedRoleUsd = new Map<string, number>();

  constructor(
    private readonly prices: PriceTable = {},
    private readonly budgets: Budgets = {},
  ) {}

  record(meta: LlmCallMeta, model: string, usage: LlmUsage): UsageRecord {
    const record: UsageRecord = { meta, model, usage, costUsd: costUsd(usage, priceFor(model, this.prices)) };
    this.records.push(record);
    this.total = withRecord(this.total, record);
    addTo(this.roles, meta.role, record);
    if (meta.taskKey !== undefined) addTo(this.tasks, meta.taskKey, record);
    addTo(this.models, model, record);
    return record;
  }

  /**
   * Money the run spent before this ledger existed (the earlier sessions of a resumed run): it counts against
   * the budgets, so stopping and resuming never widens them, and it is not booked again.
   */
  carryOver(spent: { runUsd: number; byRoleUsd?: Partial<Record<WorkerRole, number>> }): void {
    this.carriedRunUsd += spent.runUsd;
    for (const [role, usd] of Object.entries(spent.byRoleUsd ?? {}))
      this.carriedRoleUsd.set(role, (this.carriedRoleUsd.get(role) ?? 0) + (usd ?? 0));
  }

  /** What counts against the budgets: this ledger's records and what was carried over. */
  spentUsd(role?: WorkerRole): number {
    if (role === undefined) return this.total.costUsd + this.carriedRunUsd;
    return (this.roles.get(role)?.costUsd ?? 0) + (this.carriedRoleUsd.get(role) ?? 0);
  }

  /** Throws `LlmBudgetExceededError` when the run's or the role's budget is already spent. */
  assertWithinBudget(role: WorkerRole): void {
    const run = this.budgets.runUsd;
    const runSpent = this.spentUsd();
    if (run !== undefined && runSpent >= run) {
      throw new LlmBudgetExceededError(
        `Run budget of $${run.toFixed(2)} reached ($${runSpent.toFixed(4)} spent): no new model calls are made. ` +
          'Work done so far is kept; raise the budget and resume the run to continue.',
        { type: 'run' },
        run,
        runSpent,
      );
    }
    const roleLimit = this.budgets.perRoleUsd?.[role];
    const roleSpent = this.spentUsd(role);
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

  get totals(): LedgerTotal {
    return this.total;
  }
  byRole(): ReadonlyMap<string, LedgerTotal> {
    return this.roles;
  }
  byTask(): ReadonlyMap<string, LedgerTotal> {
    return this.tasks;
  }
  byModel(): ReadonlyMap<string, LedgerTotal> {
    return this.models;
  }
  all(): readonly UsageRecord[] {
    return this.records;
  }
}
