import * as vscode from 'vscode';
import {
  createAnthropicProviderForRun,
  createEngine,
  createGovernorForRun,
  defaultPathPolicy,
  detectProjectCommands,
  NodeCommandRunner,
  type Confirm,
  type ConfirmRequest,
  type DetectedCommands,
  type Engine,
  type LlmProvider,
  type Logger,
} from '../core/engine';
import type { OrchestraSettings } from './config';
import { VscodeLmProvider } from './llm/vscode-lm-provider';
import type { Prompts } from './prompts';
import type { ApiKeyStore } from './secrets';
import { VscodeWorkspace } from './vscode-workspace';

/*
 * The engine side of the extension, bundled on its own as dist/extension-engine.js and loaded on the first
 * run, not at activation (`import()` in extension.ts): the engine, the SDK and their dependencies are most
 * of the code, and activation must stay cheap. It reaches the engine through its facade only.
 */

export interface EngineFactoryDeps {
  keys: ApiKeyStore;
  log: Logger;
  prompts: Prompts;
}

const YES_BY_KIND: Readonly<Record<ConfirmRequest['kind'], string>> = {
  plan: 'Approve Plan',
  hook: 'Run Hook',
  command: 'Run',
  'changed-command': 'Run Changed Command',
  checklists: 'Continue',
  'task-mismatch': 'Continue',
  'rollback-conflict': 'Continue',
};

/**
 * A modal question for hooks, checklists, the fallback plan, commands and rollback conflicts: the engine's
 * one place of consent asks, this only shows the question. Long details are opened as a document beside the
 * question for the user to read before answering: a plan as Markdown, the change to a command's defining
 * file as a diff.
 */
function modalConfirm(prompts: Prompts): Confirm {
  return async (request) => {
    const yes = YES_BY_KIND[request.kind];
    let detail = request.detail;
    if (request.kind === 'plan' || request.kind === 'changed-command') {
      const language = request.kind === 'plan' ? 'markdown' : 'diff';
      const document = await vscode.workspace.openTextDocument({ language, content: request.detail });
      await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
      detail =
        request.kind === 'plan'
          ? 'The drafted tasks.md is open beside this dialog. Approving saves it as a new spec-kit feature and starts the run.'
          : 'The change is open beside this dialog. Running the command runs what this run wrote there.';
    }
    return (await prompts.modal(request.title, detail.slice(0, 4000), yes)) === yes;
  };
}

/** A fresh engine for one run, on the provider the settings choose (one per run: its governor is the run's). */
export function createEngineFor(settings: OrchestraSettings, deps: EngineFactoryDeps): Engine {
  let provider: LlmProvider;
  switch (settings.provider) {
    case 'anthropic':
      provider = createAnthropicProviderForRun({
        apiKey: () => deps.keys.get(),
        baseURL: settings.anthropicBaseUrl,
        maxWorkers: settings.maxParallelWorkers,
        maxAttempts: settings.modelCallAttempts,
        logger: deps.log,
      });
      break;
    case 'vscode-lm':
      // Any chat model the user has; the provider says clearly when there is none (LlmUnavailableError).
      provider = new VscodeLmProvider({
        selector: {},
        justification: 'Spec-Kit Agent Orchestra runs agents that implement the tasks of your tasks.md.',
        governor: createGovernorForRun({
          maxWorkers: settings.maxParallelWorkers,
          maxAttempts: settings.modelCallAttempts,
        }),
      });
      break;
  }
  const policy = { ...defaultPathPolicy, deny: [...defaultPathPolicy.deny, ...settings.denyList] };
  return createEngine({
    provider,
    workspace: (root) => new VscodeWorkspace(root, policy),
    commandRunner: new NodeCommandRunner(),
    confirm: modalConfirm(deps.prompts),
    logger: deps.log,
  });
}

/** The project's own commands, for a user who configured no test command. */
export function detectCommands(root: string, signal: AbortSignal): Promise<DetectedCommands> {
  return detectProjectCommands(root, signal);
}
