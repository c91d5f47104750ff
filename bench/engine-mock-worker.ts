// The mock Anthropic server for bench/engine.bench.ts, in its own process: the server's work (SSE framing,
// cache billing, request checks) is not the engine's and must not share its event loop, as a real API would not.
import { startMockAnthropic, type MockReply, type RecordedRequest } from '../test/mock-anthropic';

function job(request: RecordedRequest): { task: string; files: string[]; turn: number } {
  const body = (request.body ?? {}) as { messages?: { content: unknown }[] };
  const messages = body.messages ?? [];
  const first = JSON.stringify(messages[0]?.content ?? '');
  const task = /# Task (\S+?):/.exec(first)?.[1] ?? '?';
  const files = [...first.matchAll(/\\n- (src\/[^\\]+)/g)].map((m) => m[1] ?? '');
  return { task, files: [...new Set(files)], turn: Math.floor((messages.length - 1) / 2) };
}

/** Each task: turn 0 creates the files the task names, turn 1 completes. */
function script(request: RecordedRequest): MockReply {
  const { task, files, turn } = job(request);
  if (turn === 0)
    return {
      type: 'message',
      content: files.map((path) => ({
        type: 'tool_use' as const,
        name: 'propose_edit',
        input: { kind: 'create', path, content: `// ${task}\n` },
      })),
    };
  return {
    type: 'message',
    content: [{ type: 'tool_use', name: 'complete_task', input: { summary: `${task} done`, files_touched: files } }],
  };
}

const latencyMs = Number(process.argv[2] ?? '40');
void startMockAnthropic({ latencyMs, handler: script }).then((mock) => {
  process.send?.({ url: mock.url });
  process.on('message', (message: unknown) => {
    if (message === 'close') void mock.close().then(() => process.exit(0));
    if (message === 'cpu') {
      const used = process.cpuUsage();
      process.send?.({ cpuMs: (used.user + used.system) / 1000 });
    }
  });
});
