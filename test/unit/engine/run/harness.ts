/**
 * Shared set-up for the engine's end-to-end tests: a temp copy of examples/todo-api, the real Anthropic
 * provider (real SDK) pointed at the wire mock, node ports, and a scripted "model" that is a function of
 * the request: it reads the task from the first user message and answers with tool calls.
 */
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startMockAnthropic, type MockAnthropic, type MockReply, type RecordedRequest } from '../../../mock-anthropic';
import { AnthropicProvider } from '../../../../src/core/llm/anthropic-provider';
import { LlmGovernor } from '../../../../src/core/llm/governor';
import { NodeWorkspace } from '../../../../src/core/engine/workspace/node-workspace';
import { NodeCommandRunner } from '../../../../src/core/engine/commands/node-command-runner';
import {
  createEngine,
  type Engine,
  type EngineEvent,
  type EngineSettings,
  type ConfirmRequest,
} from '../../../../src/core/engine';

export const exampleDir = join(__dirname, '..', '..', '..', '..', 'examples', 'todo-api');

export async function copyExample(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'orchestra-e2e-'));
  await cp(exampleDir, dir, { recursive: true });
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

type Body = { messages?: { role: string; content: unknown }[]; system?: { text: string }[] };

export function bodyOf(request: RecordedRequest): Body {
  return request.body ?? {};
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b: unknown) =>
      typeof b === 'object' && b !== null && 'text' in b && typeof b.text === 'string'
        ? b.text
        : typeof b === 'object' && b !== null && 'content' in b && typeof b.content === 'string'
          ? b.content
          : '',
    )
    .join('\n');
}

export function firstUserText(request: RecordedRequest): string {
  return textOf(bodyOf(request).messages?.[0]?.content);
}

export function lastUserText(request: RecordedRequest): string {
  const messages = bodyOf(request).messages ?? [];
  return textOf(messages[messages.length - 1]?.content);
}

/**
 * The task id a worker request is about (`T004`), or the validation job (`code review`, `security review`,
 * `tests`, `requirements` for the bug-fixer on missing requirements, `requirements re-check`), or the completion
 * review of a task's claim (`completion review T004`).
 */
export function jobOf(request: RecordedRequest): string | undefined {
  const first = firstUserText(request);
  const review = /^# Completion review of task (\S+?):/m.exec(first);
  if (review?.[1]) return `completion review ${review[1]}`;
  const task = /^# Task (\S+?):/m.exec(first);
  if (task?.[1]) return task[1];
  if (/^# Validation: code review/m.test(first)) return 'code review';
  if (/^# Validation: security review/m.test(first)) return 'security review';
  if (/^# The test run fails/m.test(first)) return 'tests';
  if (/^# Requirements the review found missing/m.test(first)) return 'requirements';
  if (/^# Validation: requirements re-check/m.test(first)) return 'requirements re-check';
  return undefined;
}

export function filesNamed(request: RecordedRequest): string[] {
  const first = firstUserText(request);
  const section = /## Files the task names\n((?:- .+\n?)+)/.exec(first);
  return section?.[1]
    ? section[1]
        .trim()
        .split('\n')
        .map((l) => l.slice(2).trim())
    : [];
}

/** File content a scripted worker writes for a path: JS that runs, tests that pass, Markdown. */
export function contentFor(path: string, job: string): string {
  if (path.endsWith('.test.js'))
    return `const test = require('node:test');\nconst assert = require('node:assert');\ntest('${job}', () => assert.ok(true));\n`;
  if (path.endsWith('.js')) return `// ${job}\nmodule.exports = { job: '${job}' };\n`;
  return `# ${job}\n\nWritten by the scripted worker for ${job}.\n`;
}

export function turnOf(request: RecordedRequest): number {
  return Math.floor(((bodyOf(request).messages ?? []).length - 1) / 2);
}

/** The completion reviewer's verdict. */
export const judge = (verdict: 'accept' | 'reject', reason = `${verdict}ed after reading the evidence`): MockReply =>
  toolCall('judge_completion', { verdict, reason });

/**
 * The well-behaved team, except that a worker told `feedback` (a rejected proposal) proposes its files again, each
 * headed by a comment naming its task: what a reviewer asking for a header gets.
 */
export function revisingAfter(
  feedback: string,
  existing: (path: string) => boolean,
): (request: RecordedRequest) => MockReply {
  const base = wellBehaved(existing);
  return (request) => {
    if (!lastUserText(request).includes(feedback)) return base(request);
    const job = jobOf(request) ?? 'unknown';
    return {
      type: 'message',
      content: filesNamed(request).map((path) => ({
        type: 'tool_use' as const,
        name: 'propose_edit',
        input: {
          kind: existing(path) ? 'write' : 'create',
          path,
          content: `${revisionHeader(job)}\n${contentFor(path, job)}`,
          reason: 'revised after feedback',
        },
      })),
    };
  };
}

/** The first line of a file revised after feedback by `revisingAfter`. */
export function revisionHeader(job: string): string {
  return `// module for ${job}`;
}

/**
 * A well-behaved team: turn 0 proposes every named file (create, or write when it exists), turn 1 completes.
 * Reviewers report one finding and complete; the completion reviewer accepts.
 */
export function wellBehaved(existing: (path: string) => boolean): (request: RecordedRequest) => MockReply {
  return (request) => {
    const job = jobOf(request) ?? 'unknown';
    const turn = turnOf(request);
    if (job.startsWith('completion review')) return judge('accept');
    if (job === 'code review' || job === 'security review') {
      if (turn === 0)
        return {
          type: 'message',
          content: [
            {
              type: 'tool_use',
              name: 'report_findings',
              input: {
                findings: [{ path: 'src/todo-store.js', line: 1, severity: 'info', message: `${job}: looks fine` }],
              },
            },
          ],
        };
      return {
        type: 'message',
        content: [{ type: 'tool_use', name: 'complete_task', input: { summary: `${job} done`, files_touched: [] } }],
      };
    }
    const files = filesNamed(request);
    if (turn === 0 && files.length > 0) {
      return {
        type: 'message',
        content: files.map((path) => ({
          type: 'tool_use' as const,
          name: 'propose_edit',
          input: {
            kind: existing(path) ? 'write' : 'create',
            path,
            content: contentFor(path, job),
            reason: `implements ${job}`,
          },
        })),
      };
    }
    return {
      type: 'message',
      content: [{ type: 'tool_use', name: 'complete_task', input: { summary: `${job} done`, files_touched: files } }],
    };
  };
}

export interface Harness {
  dir: string;
  mock: MockAnthropic;
  engine: Engine;
  confirms: ConfirmRequest[];
  close(): Promise<void>;
}

export const testSettings: Partial<EngineSettings> = {
  approvalPolicy: 'auto-approve-all',
  maxWorkers: 4,
  commands: { test: [process.execPath, '--test'] },
  allowedCommands: ['test'],
  bugFixAttempts: 1,
};

export async function startHarness(
  options: { dir?: string; latencyMs?: number; confirm?: (r: ConfirmRequest) => boolean; mock?: MockAnthropic } = {},
): Promise<Harness> {
  const dir = options.dir ?? (await copyExample());
  const mock = options.mock ?? (await startMockAnthropic({ latencyMs: options.latencyMs ?? 0 }));
  const confirms: ConfirmRequest[] = [];
  const provider = new AnthropicProvider({
    apiKey: async () => 'test-key',
    baseURL: mock.url,
    governor: new LlmGovernor({ maxConcurrent: 8, baseBackoffMs: 20, maxBackoffMs: 200 }),
  });
  const engine = createEngine({
    provider,
    workspace: (root) => new NodeWorkspace(root),
    commandRunner: new NodeCommandRunner(),
    confirm: async (request) => {
      confirms.push(request);
      return options.confirm ? options.confirm(request) : true;
    },
  });
  return {
    dir,
    mock,
    engine,
    confirms,
    close: async () => {
      if (!options.mock) await mock.close();
      await removeDir(dir);
    },
  };
}

/** Every file under `dir` (except the run state folder) with its content: a snapshot to compare. */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      const rel = relative(dir, full).split('\\').join('/');
      if (rel === '.specify/orchestra') continue;
      if (entry.isDirectory()) await walk(full);
      else out.set(rel, await readFile(full, 'utf8'));
    }
  };
  await walk(dir);
  return out;
}

export function eventsOf<T extends EngineEvent['type']>(
  events: readonly EngineEvent[],
  type: T,
): Extract<EngineEvent, { type: T }>[] {
  return events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
}

/** A one-feature spec-kit project in a temp dir with the given tasks.md body (and a spec citing nothing). */
export async function makeProject(tasksMarkdown: string, files: Record<string, string> = {}): Promise<string> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const dir = await mkdtemp(join(tmpdir(), 'orchestra-proj-'));
  await mkdir(join(dir, '.specify', 'memory'), { recursive: true });
  await mkdir(join(dir, 'specs', '001-demo'), { recursive: true });
  await writeFile(join(dir, 'specs', '001-demo', 'tasks.md'), tasksMarkdown);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

export const toolCall = (name: string, input: Record<string, unknown>): MockReply => ({
  type: 'message',
  content: [{ type: 'tool_use', name, input }],
});
export const complete = (files: string[] = []): MockReply =>
  toolCall('complete_task', { summary: 'done', files_touched: files });

/** The tool results the model got back on its latest turn. */
export function toolResults(request: RecordedRequest): { content: string; isError: boolean }[] {
  const messages = bodyOf(request).messages ?? [];
  const last = messages[messages.length - 1]?.content;
  if (!Array.isArray(last)) return [];
  return last
    .filter(
      (b: unknown): b is { type: 'tool_result'; content: unknown; is_error?: boolean } =>
        typeof b === 'object' && b !== null && 'type' in b && b.type === 'tool_result',
    )
    .map((b) => ({
      content: typeof b.content === 'string' ? b.content : JSON.stringify(b.content),
      isError: b.is_error === true,
    }));
}

/** True for the fallback planner's request (it offers submit_plan). */
export function asksForPlan(request: RecordedRequest): boolean {
  const tools = (request.body as { tools?: { name: string }[] } | undefined)?.tools ?? [];
  return tools.some((t) => t.name === 'submit_plan');
}

/** A model that submits `plan` when asked to plan and answers as `workers` otherwise. */
export function plannerThen(
  plan: Record<string, unknown>,
  workers: (request: RecordedRequest) => MockReply,
): (request: RecordedRequest) => MockReply {
  return (request) => (asksForPlan(request) ? toolCall('submit_plan', plan) : workers(request));
}
