/**
 * The LLM provider on VS Code's language models (`vscode.lm`), for users with a chat model installed and
 * no Anthropic key. A thin adapter: conversions, error mapping and usage estimates live in
 * `src/core/llm/vscode-lm-conversion.ts`, where they are unit-tested.
 */
import * as vscode from 'vscode';
import {
  classifyLmFailure,
  estimateTokens,
  estimateUsage,
  lastFailureOf,
  LlmCancelledError,
  LmResponseAssembler,
  noModelError,
  toLlmErrorFromLm,
  toLmMessages,
  toLmTools,
  type LlmGovernor,
  type LlmProvider,
  type LlmRequest,
  type LlmResponse,
  type LlmStreamHooks,
  type LmMessage,
} from '../../core/engine';
import { zeroUsage } from '../../protocol/engine-events';

export interface VscodeLmProviderOptions {
  /** Which chat model: e.g. `{ vendor: 'copilot', family: 'gpt-4o' }`; any available model when empty. */
  selector: vscode.LanguageModelChatSelector;
  /** Shown by VS Code when it asks the user for consent. */
  justification: string;
  /** The run's governor: concurrency, the pooled wait on a quota refusal, and the one bound on sends. */
  governor: LlmGovernor;
}

function toVscodeMessage(message: LmMessage): vscode.LanguageModelChatMessage {
  if (message.role === 'assistant') {
    return vscode.LanguageModelChatMessage.Assistant(
      message.parts.flatMap((part): (vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart)[] => {
        if (part.kind === 'text') return [new vscode.LanguageModelTextPart(part.value)];
        if (part.kind === 'tool-call')
          return [new vscode.LanguageModelToolCallPart(part.callId, part.name, part.input)];
        return [];
      }),
    );
  }
  return vscode.LanguageModelChatMessage.User(
    message.parts.flatMap((part): (vscode.LanguageModelTextPart | vscode.LanguageModelToolResultPart)[] => {
      if (part.kind === 'text') return [new vscode.LanguageModelTextPart(part.value)];
      if (part.kind === 'tool-result')
        return [new vscode.LanguageModelToolResultPart(part.callId, [new vscode.LanguageModelTextPart(part.text)])];
      return [];
    }),
  );
}

export class VscodeLmProvider implements LlmProvider {
  readonly id = 'vscode-lm';

  constructor(private readonly options: VscodeLmProviderOptions) {}

  async send(request: LlmRequest, hooks: LlmStreamHooks, signal: AbortSignal): Promise<LlmResponse> {
    if (signal.aborted) throw new LlmCancelledError();
    const [model] = await vscode.lm.selectChatModels(this.options.selector);
    if (!model) throw noModelError(JSON.stringify(this.options.selector));
    try {
      return await this.options.governor.run(
        {
          onWaiting: hooks.onWaiting?.bind(hooks),
          onRetry: (attempt, reason) => hooks.onAttemptDiscarded?.(attempt, reason),
          classify: (error) => classifyLmFailure(lmErrorCode(error), signal.aborted),
          attempt: async () => {
            // The LM API takes no output limit, so the reservation cannot lower one; it still keeps calls under
            // way from spending the same headroom. Nothing is billed to the budget for a send that failed: the
            // LM API reports no usage and ours is estimated from a whole reply.
            hooks.reserveSend?.(request.maxTokens);
            try {
              const response = await this.sendOnce(model, request, hooks, signal);
              hooks.settleSend?.(response.usage, 'answered');
              return response;
            } catch (error) {
              hooks.settleSend?.(zeroUsage(), 'failed-before-reply');
              throw error;
            }
          },
        },
        signal,
      );
    } catch (error) {
      const failure = lastFailureOf(error);
      throw toLlmErrorFromLm(failure, lmErrorCode(failure), signal.aborted, model.name);
    }
  }

  private async sendOnce(
    model: vscode.LanguageModelChat,
    request: LlmRequest,
    hooks: LlmStreamHooks,
    signal: AbortSignal,
  ): Promise<LlmResponse> {
    const tokenSource = new vscode.CancellationTokenSource();
    const onAbort = (): void => tokenSource.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    const assembler = new LmResponseAssembler();
    try {
      const response = await model.sendRequest(
        toLmMessages(request).map(toVscodeMessage),
        { justification: this.options.justification, tools: toLmTools(request) },
        tokenSource.token,
      );
      for await (const part of response.stream) {
        if (part instanceof vscode.LanguageModelTextPart) {
          assembler.addText(part.value);
          hooks.onText?.(part.value);
        } else if (part instanceof vscode.LanguageModelToolCallPart) {
          hooks.onToolUseStart?.({ id: part.callId, name: part.name });
          assembler.addToolCall(part.callId, part.name, part.input);
        }
      }
      if (signal.aborted) throw new LlmCancelledError();
      // The LM API reports no usage: count with the model's tokenizer, labelled as an estimate.
      const countTokens = async (text: string): Promise<number> => {
        try {
          return await model.countTokens(text, tokenSource.token);
        } catch {
          return estimateTokens(text);
        }
      };
      const usage = await estimateUsage(request, [...assembler.blocks], countTokens);
      return assembler.finish(`${model.vendor}/${model.id}`, usage);
    } finally {
      signal.removeEventListener('abort', onAbort);
      tokenSource.dispose();
    }
  }
}

function lmErrorCode(error: unknown): string | undefined {
  return error instanceof vscode.LanguageModelError ? error.code : undefined;
}
