import * as vscode from 'vscode';
import {
  createAnthropicProviderForRun,
  createEngine,
  createGovernorForRun,
  defaultPathPolicy,
  detectProjectCommands,
  NodeCommandRunner,
  type CommandResult,
  type CommandRunner,
  type CommandRunOptions,
  type Confirm,
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

/**
 * A modal question for hooks, checklists, the fallback plan and rollback conflicts. A plan is long, so it is
 * opened as a Markdown document beside the question for the user to read before answering.
 */
function modalConfirm(prompts: Prompts): Confirm {
  return async (request) => {
    const yes = request.kind === 'plan' ? 'Approve Plan' : request.kind === 'hook' ? 'Run Hook' : 'Continue';
    let detail = request.detail;
    if (request.kind === 'plan') {
      const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: request.detail });
      await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
      detail =
        'The drafted tasks.md is open beside this dialog. Approving saves it as a new spec-kit feature and starts the run.';
    }
    return (await prompts.modal(request.title, detail.slice(0, 4000), yes)) === yes;
  };
}

/** Runs the project's commands only after the user agrees, per command line, once per window. */
class ConfirmingCommandRunner implements CommandRunner {
  private readonly inner = new NodeCommandRunner();
  private readonly agreed = new Set<string>();

  constructor(private readonly prompts: Prompts) {}

  async run(argv: readonly string[], options: CommandRunOptions): Promise<CommandResult> {
    const line = argv.join(' ');
    if (!this.agreed.has(line)) {
      const choice = await this.prompts.modal(
        `Run \`${line}\`?`,
        `In ${options.cwd}. The orchestra runs the project's test command to check the work.`,
        'Run',
      );
      if (choice !== 'Run') return { kind: 'failed-to-start', message: 'the user declined to run it', durationMs: 0 };
      this.agreed.add(line);
    }
    return this.inner.run(argv, options);
  }
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
    commandRunner: new ConfirmingCommandRunner(deps.prompts),
    confirm: modalConfirm(deps.prompts),
    logger: deps.log,
  });
}

/** The project's own commands, for a user who configured no test command. */
export function detectCommands(root: string, signal: AbortSignal): Promise<DetectedCommands> {
  return detectProjectCommands(root, signal);
}
