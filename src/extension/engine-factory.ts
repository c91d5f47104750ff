import * as vscode from 'vscode';
import { createEngine, type Confirm, type Engine } from '../core/engine';
import type { CommandResult, CommandRunner, CommandRunOptions } from '../core/engine/commands/command-runner';
import { NodeCommandRunner } from '../core/engine/commands/node-command-runner';
import { defaultPathPolicy } from '../core/engine/workspace/path-policy';
import { AnthropicProvider } from '../core/llm/anthropic-provider';
import type { LlmProvider } from '../core/llm/provider';
import type { Logger } from '../core/util/logger';
import type { OrchestraSettings } from './config';
import type { ApiKeyStore } from './secrets';
import { VscodeLmProvider } from './llm/vscode-lm-provider';
import { VscodeWorkspace } from './vscode-workspace';

/*
 * Loaded on the first run, not at activation (`import()` in extension.ts): the engine, the SDK and their
 * dependencies are most of the bundle, and activation must stay cheap.
 */

export interface EngineFactoryDeps {
  keys: ApiKeyStore;
  log: Logger;
}

/**
 * A modal question for hooks, checklists, the fallback plan and rollback conflicts. A plan is long, so it is
 * opened as a Markdown document beside the question for the user to read before answering.
 */
export const modalConfirm: Confirm = async (request) => {
  const yes = request.kind === 'plan' ? 'Approve Plan' : request.kind === 'hook' ? 'Run Hook' : 'Continue';
  let detail = request.detail;
  if (request.kind === 'plan') {
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: request.detail });
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    detail = 'The drafted tasks.md is open beside this dialog. Approving saves it as a new spec-kit feature and starts the run.';
  }
  const choice = await vscode.window.showWarningMessage(request.title, { modal: true, detail: detail.slice(0, 4000) }, yes);
  return choice === yes;
};

/** Runs the project's configured commands only after the user agrees, per command line, once per window. */
class ConfirmingCommandRunner implements CommandRunner {
  private readonly inner = new NodeCommandRunner();
  private readonly agreed = new Set<string>();

  async run(argv: readonly string[], options: CommandRunOptions): Promise<CommandResult> {
    const line = argv.join(' ');
    if (!this.agreed.has(line)) {
      const choice = await vscode.window.showWarningMessage(`Run \`${line}\`?`, { modal: true, detail: `In ${options.cwd}. The orchestra runs the project's configured test command to check the work.` }, 'Run');
      if (choice !== 'Run') return { kind: 'failed-to-start', message: 'the user declined to run it', durationMs: 0 };
      this.agreed.add(line);
    }
    return this.inner.run(argv, options);
  }
}

/** A fresh engine for one run, on the provider the settings choose. */
export function createEngineFor(settings: OrchestraSettings, deps: EngineFactoryDeps): Engine {
  let provider: LlmProvider;
  switch (settings.provider) {
    case 'anthropic':
      provider = new AnthropicProvider({ apiKey: () => deps.keys.get(), baseURL: settings.anthropicBaseUrl, logger: deps.log });
      break;
    case 'vscode-lm':
      // Any chat model the user has; the provider says clearly when there is none (LlmUnavailableError).
      provider = new VscodeLmProvider({ selector: {}, justification: 'Spec-Kit Agent Orchestra runs agents that implement the tasks of your tasks.md.' });
      break;
  }
  const policy = { ...defaultPathPolicy, deny: [...defaultPathPolicy.deny, ...settings.denyList] };
  return createEngine({
    provider,
    workspace: (root) => new VscodeWorkspace(root, policy),
    commandRunner: new ConfirmingCommandRunner(),
    confirm: modalConfirm,
    logger: deps.log,
  });
}
