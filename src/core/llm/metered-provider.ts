/**
 * Wraps any provider with the run's ledger: a call is refused before it starts when a budget is spent, and
 * every finished call (and the usage of a failed one, when the provider reports it) is booked. Works the
 * same for the Anthropic and the VS Code provider. The call's answer reaches its caller only once `onBooked`
 * has settled (the run journals the booking), so what a run spent is on disk before it acts on the answer.
 */
import { LlmError } from './errors';
import type { LlmProvider, LlmRequest, LlmResponse, LlmStreamHooks } from './provider';
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
    let response: LlmResponse;
    try {
      response = await this.inner.send(request, hooks, signal);
    } catch (error) {
      if (error instanceof LlmError && error.usage)
        await this.onBooked(this.ledger.record(request.meta, request.model, error.usage));
      throw error;
    }
    await this.onBooked(this.ledger.record(request.meta, response.model, response.usage));
    return response;
  }
}
