// A chat model for host tests, registered the way a model extension does it in VS Code 1.100:
// `vscode.lm.registerChatModelProvider`, part of the `chatProvider` API proposal. Only this extension declares
// that proposal (package.json `enabledApiProposals`); the orchestra itself uses the stable `vscode.lm` API.
// It is built and loaded by the host-test runner for the suites that name it, and never shipped.
//
// The model says what the test tells it to: a test installs a responder through this extension's exports
// and gets every call recorded (messages, tools offered, the calling extension).
import * as vscode from 'vscode';

export const TEST_MODEL_EXTENSION_ID = 'speckit-orchestra-test.test-chat-model';
export const TEST_MODEL_VENDOR = 'speckit-test';
export const TEST_MODEL_FAMILY = 'scripted';

export type ResponsePart = vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart;

export interface ModelCall {
  messages: readonly vscode.LanguageModelChatMessage[];
  /** The tools the request offered, by name. */
  toolNames: string[];
  /** The extension that sent the request. */
  extensionId: string;
}

export type Responder = (call: ModelCall) => ResponsePart[] | Promise<ResponsePart[]>;

export interface TestChatModelApi {
  readonly calls: readonly ModelCall[];
  respondWith(responder: Responder): void;
}

// The proposal's 1.100 shape, as far as this model uses it (it is not in @types/vscode).
interface ResponseFragment {
  index: number;
  part: ResponsePart;
}
interface ChatModelProvider {
  provideLanguageModelResponse(
    messages: vscode.LanguageModelChatMessage[],
    options: { readonly tools?: readonly { readonly name: string }[] },
    extensionId: string,
    progress: vscode.Progress<ResponseFragment>,
    token: vscode.CancellationToken,
  ): Thenable<void>;
  provideTokenCount(text: string | vscode.LanguageModelChatMessage, token: vscode.CancellationToken): Thenable<number>;
}
interface ChatModelMetadata {
  vendor: string;
  name: string;
  family: string;
  version: string;
  maxInputTokens: number;
  maxOutputTokens: number;
  capabilities: { toolCalling: boolean };
}
interface LmProviderApi {
  registerChatModelProvider?: (
    id: string,
    provider: ChatModelProvider,
    metadata: ChatModelMetadata,
  ) => vscode.Disposable;
}

function textOf(message: string | vscode.LanguageModelChatMessage): string {
  if (typeof message === 'string') return message;
  return message.content
    .map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : JSON.stringify(part)))
    .join('\n');
}

export function activate(context: vscode.ExtensionContext): TestChatModelApi {
  const calls: ModelCall[] = [];
  let responder: Responder = () => {
    throw new Error('the test chat model has no responder: a test calls respondWith first');
  };
  const lm = vscode.lm as typeof vscode.lm & LmProviderApi;
  if (typeof lm.registerChatModelProvider !== 'function') {
    throw new Error('vscode.lm.registerChatModelProvider is missing: the chatProvider proposal is not enabled');
  }
  context.subscriptions.push(
    lm.registerChatModelProvider(
      'scripted-model',
      {
        async provideLanguageModelResponse(messages, options, extensionId, progress) {
          const call: ModelCall = {
            messages: [...messages],
            toolNames: (options.tools ?? []).map((tool) => tool.name),
            extensionId,
          };
          calls.push(call);
          const parts = await responder(call);
          parts.forEach((part, index) => progress.report({ index, part }));
        },
        provideTokenCount(text) {
          return Promise.resolve(Math.ceil(textOf(text).length / 4));
        },
      },
      {
        vendor: TEST_MODEL_VENDOR,
        name: 'Scripted test model',
        family: TEST_MODEL_FAMILY,
        version: '1',
        maxInputTokens: 200_000,
        maxOutputTokens: 16_000,
        capabilities: { toolCalling: true },
      },
    ),
  );
  return {
    calls,
    respondWith(next) {
      responder = next;
    },
  };
}
