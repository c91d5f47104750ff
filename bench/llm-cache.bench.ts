/**
 * Prompt caching and warm-up, measured: a 20-task scripted run where every worker shares the feature
 * context, 4 at a time through one governor, against the mock Messages API. Three passes side by side in
 * one run, each on a fresh mock (a cold cache): caching with warm-up, caching without warm-up, and no
 * caching. Cost is computed from the usage the mock reports (as the API would bill it), at list prices.
 */
import { AnthropicProvider } from '../src/core/llm/anthropic-provider';
import { LlmGovernor } from '../src/core/llm/governor';
import { costUsd, priceFor } from '../src/core/llm/prices';
import { type LlmMessage, type LlmRequest } from '../src/core/llm/provider';
import { zeroUsage, addUsage, type LlmUsage } from '../src/protocol/engine-events';
import { reply, startMockAnthropic, type MockHandler } from '../test/mock-anthropic';

const TASKS = 20;
const CONCURRENCY = 4;
const MODEL = 'claude-sonnet-5-5';
const KEY = 'sk-bench';

const rolePrompt =
  'You are the code writer of a spec-kit feature. Implement exactly one task; propose edits; never touch files outside your scope. '.repeat(
    8,
  );
// About 10k tokens of constitution/spec/plan excerpts: a realistic feature context, well above the minimum.
const featureContext = Array.from(
  { length: 400 },
  (_, i) =>
    `Requirement FR-${String(i).padStart(3, '0')}: the system keeps a journal of every change and can roll it back.`,
).join('\n');

const tools = [
  {
    name: 'read_file',
    description: 'Reads a workspace file.',
    inputSchema: { type: 'object' as const, properties: { path: { type: 'string' } }, required: ['path'] },
  },
  {
    name: 'propose_edit',
    description: 'Proposes a whole-file edit for review.',
    inputSchema: {
      type: 'object' as const,
      properties: { path: { type: 'string' }, content: { type: 'string' } },
      required: ['path', 'content'],
    },
  },
  {
    name: 'complete_task',
    description: 'Reports the task done.',
    inputSchema: { type: 'object' as const, properties: { summary: { type: 'string' } }, required: ['summary'] },
  },
];

/** Turn 1 asks for a file, turn 2 completes: a two-turn conversation per task. */
const scripted: MockHandler = (request) => {
  const body = request.body as { messages: unknown[] };
  return body.messages.length === 1
    ? reply.tools([{ name: 'read_file', input: { path: 'src/feature.ts' } }], 'Reading the file first.')
    : reply.tools([{ name: 'complete_task', input: { summary: 'Implemented and tested.' } }]);
};

interface PassResult {
  usage: LlmUsage;
  costUsd: number;
  requests: number;
  writesOfSharedPrefix: number;
  maxWritesOfOnePrefix: number;
}

async function runPass(caching: boolean, warmUp: boolean): Promise<PassResult> {
  const mock = await startMockAnthropic({ apiKeys: [KEY], handler: scripted, latencyMs: 25, eventDelayMs: 1 });
  try {
    const provider = new AnthropicProvider({
      apiKey: async () => KEY,
      baseURL: mock.url,
      governor: new LlmGovernor({ maxConcurrent: CONCURRENCY }),
    });
    await Promise.all(
      Array.from({ length: TASKS }, async (_, index) => {
        const taskKey = `T${String(index + 1).padStart(3, '0')}`;
        // One signal per worker, as the engine gives them.
        const signal = new AbortController().signal;
        const base: Omit<LlmRequest, 'messages'> = {
          model: MODEL,
          maxTokens: 4096,
          system: [{ text: rolePrompt }, { text: featureContext, cacheBreakpoint: true }],
          tools,
          caching,
          ...(warmUp ? { prefixKey: 'code-writer:feature' } : {}),
          meta: { role: 'code-writer', taskKey },
        };
        const messages: LlmMessage[] = [
          {
            role: 'user',
            content: [{ type: 'text', text: `Implement ${taskKey}: add the journal entry type number ${index}.` }],
          },
        ];
        const first = await provider.send({ ...base, messages }, {}, signal);
        const call = first.content.find((b) => b.type === 'tool_use');
        if (!call || call.type !== 'tool_use') throw new Error('the script always asks for a file first');
        messages.push({ role: 'assistant', content: first.content });
        messages.push({
          role: 'user',
          content: [{ type: 'tool_result', toolUseId: call.id, content: 'export const journal = [];\n'.repeat(40) }],
        });
        await provider.send({ ...base, messages }, {}, signal);
      }),
    );
    // Billed as the mock reports it, every request included.
    let usage = zeroUsage();
    for (const request of mock.requests) {
      const billed = request.usage;
      if (!billed) continue;
      usage = addUsage(usage, {
        inputTokens: billed.inputTokens,
        outputTokens: billed.outputTokens,
        cacheCreationInputTokens: billed.cacheCreationInputTokens,
        cacheCreation1hInputTokens: billed.cacheCreation1hInputTokens,
        cacheReadInputTokens: billed.cacheReadInputTokens,
        estimated: false,
      });
    }
    const writes = mock.cacheWrites();
    const shared = writes[0]?.prefix;
    return {
      usage,
      costUsd: costUsd(usage, priceFor(MODEL)),
      requests: mock.requests.length,
      writesOfSharedPrefix: writes.filter((w) => w.prefix === shared).length,
      maxWritesOfOnePrefix: mock.maxWritesOfOnePrefix(),
    };
  } finally {
    await mock.close();
  }
}

function describe(name: string, result: PassResult): string {
  const u = result.usage;
  return `${name.padEnd(26)} $${result.costUsd.toFixed(4)}  input ${u.inputTokens}  cache-write ${u.cacheCreationInputTokens}  cache-read ${u.cacheReadInputTokens}  output ${u.outputTokens}  (${result.requests} requests)`;
}

export async function run(): Promise<void> {
  const warmed = await runPass(true, true);
  const cold = await runPass(true, false);
  const uncached = await runPass(false, false);
  console.log(
    `${TASKS} tasks x 2 turns, ${CONCURRENCY} at a time, shared feature context ~${Math.round(featureContext.length / 4)} tokens, ${MODEL} list prices`,
  );
  console.log(describe('caching + warm-up', warmed));
  console.log(describe('caching, no warm-up', cold));
  console.log(describe('no caching', uncached));
  const saving = 1 - warmed.costUsd / uncached.costUsd;
  console.log(
    `cost with caching + warm-up vs without caching: ${(warmed.costUsd / uncached.costUsd).toFixed(3)}x, ${(saving * 100).toFixed(1)}% cheaper (target >= 60%: ${saving >= 0.6 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `shared prefix cache writes with warm-up: ${warmed.writesOfSharedPrefix} (target 1: ${warmed.writesOfSharedPrefix === 1 ? 'met' : 'MISSED'}); without warm-up: ${cold.writesOfSharedPrefix}`,
  );
  console.log(`warm-up vs no warm-up (both cached): ${(warmed.costUsd / cold.costUsd).toFixed(3)}x the cost`);
}
