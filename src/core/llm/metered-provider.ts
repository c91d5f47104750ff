/**
 * Wraps any provider with the run's ledger. Before every send of a call (retries included) the provider asks
 * the ledger to reserve the send's worst case, which lowers `max_tokens` to what the budget allows or refuses
 * the send; after it, the reservation is settled to what the send billed. Every finished call (and the usage
 * of a failed one, when the provider reports it) is booked. Works the same for the Anthropic and the VS Code
 * provider. The call's answer reaches its caller only once `onBooked` has settled (the run appends the booking
 * to its journal, which keeps order), so what a run spent is recorded before anything it does with the answer.
 */
import { LlmError } from './errors';
import type { LlmProvider, LlmRequest, LlmResponse, LlmStreamHooks } from './provider';
import { inputTokenBound } from './token-estimate';
import type { UsageLedger, UsageRecord } from './usage-ledger';

export class MeteredProvider implements LlmProvider {
  readonly id: string;

  constructor(
    private readonly inner: LlmProvider,
    private readonly ledger: UsageLedger,
    private readonly onBooked: (record: UsageRecord) => Promise<void> = async () => undefined,
  ) {
    this.id = inner.id;
  }

  async send(request: LlmRequest, hooks: LlmStreamHooks, signal: AbortSignal): Promise<LlmResponse> {
    this.ledger.assertWithinBudget(request.meta.role);
    const billing = request.caching === false ? 'no-cache' : (request.cacheTtl ?? '5m');
    const hold = this.ledger.openCall(request.meta, request.model, inputTokenBound(request), billing);
    const metered: LlmStreamHooks = {
      ...hooks,
      reserveSend: (requestedMaxTokens) => hold.reserveSend(requestedMaxTokens),
      settleSend: (billed, outcome) => hold.settleSend(billed, outcome),
    };
    let response: LlmResponse;
    try {
      response = await this.inner.send(request, metered, signal);
    } catch (error) {
      // Booked and released in one step, so no other call sees the money neither held nor spent.
      const record =
        error instanceof LlmError && error.usage
          ? this.ledger.record(request.meta, request.model, error.usage)
          : undefined;
      hold.release();
      if (record) await this.onBooked(record);
      throw error;
    }
    const record = this.ledger.record(request.meta, response.model, response.usage);
    hold.release();
    await this.onBooked(record);
    return response;
  }
}
