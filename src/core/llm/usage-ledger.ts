/**
 * Every model call's usage, booked per role, per task and per model, priced at the configured rates, and
 * the budgets, which are hard ceilings: before each send of a call (every retry included) its worst case is
 * reserved against the run's and the role's budget — the input's upper bound at the dearest input rate it
 * could be billed at, plus `max_tokens` of output — and `max_tokens` is lowered to what the headroom allows.
 * A send that cannot afford even a short reply is refused. What concurrent calls have reserved is nobody
 * else's headroom. When a send ends, its reservation is settled to what it billed; a reply that broke off
 * after it began keeps the rest of its reservation counted (the API may have billed more than we saw).
 */
import {
  addUsageTotals,
  zeroUsageTotals,
  type LlmUsage,
  type UsageTotals,
  type WorkerRole,
} from '../../protocol/engine-events';
import { formatUsd } from '../../protocol/run-wording';
import { LlmBudgetExceededError } from './errors';
import { DEFAULT_MODELS } from './models';
import { costUsd, priceFor, ratesFor, type PriceTable, type TokenRates } from './prices';
import type { CacheTtl, LlmCallMeta, SendOutcome } from './provider';

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

/** The shortest reply a send is worth making for: below this the budget refuses the send instead. */
export const MIN_REPLY_TOKENS = 1024;

/**
 * One call's claim on the budgets, from before its first send until its usage is booked. Sends are made one
 * at a time (the governor's retry loop), so one reservation is open at most.
 */
export interface CallHold {
  /** Reserves one send's worst case; returns the `max_tokens` it may use. Throws `LlmBudgetExceededError`. */
  reserveSend(requestedMaxTokens: number): number;
  /** Settles the open reservation to what the send billed as far as the reply showed. */
  settleSend(billed: LlmUsage, outcome: SendOutcome): void;
  /** The call's usage is booked (or it is over): what it still holds goes back. Idempotent. */
  release(): void;
}

interface OpenHold {
  role: WorkerRole;
  heldUsd: number;
}

/** How a call's input may be billed: plain, or (with caching) partly as cache writes of this lifetime. */
export type InputBilling = 'no-cache' | CacheTtl;

/** Input tokens at the dearest rate they could be billed at (a cache write costs more than plain input). */
function worstInputRate(price: TokenRates, billing: InputBilling): number {
  const write = billing === '1h' ? price.cacheWrite1hPerMTok : price.cacheWrite5mPerMTok;
  return (billing === 'no-cache' ? price.inputPerMTok : Math.max(price.inputPerMTok, write)) / 1_000_000;
}

export class UsageLedger {
  private readonly records: UsageRecord[] = [];
  private readonly holds = new Set<OpenHold>();
  /** What replies that broke off may have billed beyond what they showed: counted against budgets, not booked. */
  private unseenRunUsd = 0;
  private readonly unseenRoleUsd = new Map<string, number>();
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

  /** Throws `LlmBudgetExceededError` when the run's or the role's budget is already spent or reserved. */
  assertWithinBudget(role: WorkerRole): void {
    this.assertHeadroom(role, 0);
  }

  /**
   * Opens a call's claim on the budgets. `inputTokenBound` is an upper bound on what one send of the request
   * carries; `billing` says whether its input may be billed as a cache write, and of which lifetime.
   */
  openCall(meta: LlmCallMeta, model: string, inputTokenBound: number, billing: InputBilling): CallHold {
    const price = priceFor(model, this.prices);
    // The bound is at least the real prompt, so a model's long-prompt rates apply whenever they could.
    const rates = ratesFor(price, inputTokenBound);
    const inputUsd = inputTokenBound * worstInputRate(rates, billing);
    const outputRate = rates.outputPerMTok / 1_000_000;
    const hold: OpenHold = { role: meta.role, heldUsd: 0 };
    let open: { reservedUsd: number } | undefined;
    let settledUsd = 0;
    this.holds.add(hold);
    return {
      reserveSend: (requestedMaxTokens) => {
        const shortest = Math.min(requestedMaxTokens, MIN_REPLY_TOKENS);
        const headroom = this.assertHeadroom(meta.role, inputUsd + shortest * outputRate);
        const affordable = outputRate > 0 ? Math.floor((headroom - inputUsd) / outputRate) : requestedMaxTokens;
        const maxTokens = Math.max(shortest, Math.min(requestedMaxTokens, affordable));
        const reservedUsd = inputUsd + maxTokens * outputRate;
        open = { reservedUsd };
        hold.heldUsd = settledUsd + reservedUsd;
        return maxTokens;
      },
      settleSend: (billed, outcome) => {
        const reservedUsd = open?.reservedUsd ?? 0;
        open = undefined;
        const seenUsd = costUsd(billed, price);
        settledUsd += seenUsd;
        if (outcome === 'broken-reply') this.addUnseen(meta.role, Math.max(0, reservedUsd - seenUsd));
        hold.heldUsd = settledUsd;
      },
      release: () => {
        this.holds.delete(hold);
      },
    };
  }

  private addUnseen(role: WorkerRole, usd: number): void {
    this.unseenRunUsd += usd;
    this.unseenRoleUsd.set(role, (this.unseenRoleUsd.get(role) ?? 0) + usd);
  }

  /** Spent, possibly billed unseen, and held by calls under way: what a budget no longer has. */
  private committedUsd(role?: WorkerRole): { spentUsd: number; committedUsd: number } {
    let held = 0;
    for (const hold of this.holds) if (role === undefined || hold.role === role) held += hold.heldUsd;
    const unseen = role === undefined ? this.unseenRunUsd : (this.unseenRoleUsd.get(role) ?? 0);
    const spentUsd = this.spentUsd(role);
    return { spentUsd, committedUsd: spentUsd + unseen + held };
  }

  /**
   * The smaller headroom of the run's and the role's budget once `nextUsd` is spent; throws
   * `LlmBudgetExceededError` (naming the cap, what is spent and what the next call could cost) when either
   * would be crossed.
   */
  private assertHeadroom(role: WorkerRole, nextUsd: number): number {
    let headroom = Number.POSITIVE_INFINITY;
    const limits: [{ type: 'run' } | { type: 'role'; role: WorkerRole }, number | undefined][] = [
      [{ type: 'run' }, this.budgets.runUsd],
      [{ type: 'role', role }, this.budgets.perRoleUsd?.[role]],
    ];
    for (const [scope, limit] of limits) {
      if (limit === undefined) continue;
      const { spentUsd, committedUsd } = this.committedUsd(scope.type === 'run' ? undefined : role);
      const left = limit - committedUsd;
      if (left <= 0 || nextUsd > left) {
        const which = scope.type === 'run' ? 'budget' : `budget for the ${role} role`;
        const reserved =
          committedUsd - spentUsd > 0.00005
            ? `, ${formatUsd(committedUsd - spentUsd)} held by calls under way or possibly billed`
            : '';
        const next = nextUsd > 0 ? `, next call could cost up to ${formatUsd(nextUsd)}` : '';
        throw new LlmBudgetExceededError(
          `${which} reached: ${formatUsd(limit)} cap, ${formatUsd(spentUsd)} spent${reserved}${next}. ` +
            'Work done so far is kept; raise the budget and resume the run to continue.',
          scope,
          limit,
          spentUsd,
        );
      }
      headroom = Math.min(headroom, left);
    }
    return headroom;
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
