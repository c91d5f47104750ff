import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LlmAuthError,
  LlmCancelledError,
  LlmRateLimitedError,
  LlmRequestError,
  LlmUnavailableError,
} from '../../../src/core/llm/errors';
import { estimateTokens } from '../../../src/core/llm/token-estimate';
import {
  estimateUsage,
  LmResponseAssembler,
  noModelError,
  toLlmErrorFromLm,
  toLmMessages,
  toLmTools,
  TOOL_ERROR_PREFIX,
} from '../../../src/core/llm/vscode-lm-conversion';
import { listFilesTool, readFileTool, request, userText } from './llm-test-kit';

test('the system prompt leads the first user message; tool calls and results keep their ids', () => {
  const messages = toLmMessages(
    request({
      system: [{ text: 'role' }, { text: 'context' }],
      messages: [
        userText('task'),
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'reading' },
            { type: 'tool_use', id: 'c1', name: 'read_file', input: { path: 'a' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', toolUseId: 'c1', content: 'missing', isError: true }] },
      ],
    }),
  );
  assert.deepEqual(messages[0], {
    role: 'user',
    parts: [
      { kind: 'text', value: 'role\n\ncontext' },
      { kind: 'text', value: 'task' },
    ],
  });
  assert.deepEqual(messages[1]?.parts[1], { kind: 'tool-call', callId: 'c1', name: 'read_file', input: { path: 'a' } });
  assert.deepEqual(messages[2]?.parts[0], { kind: 'tool-result', callId: 'c1', text: `${TOOL_ERROR_PREFIX}missing` });
});

test('tools are sorted and keep their schema', () => {
  assert.deepEqual(
    toLmTools(request({ tools: [readFileTool, listFilesTool] })).map((t) => t.name),
    ['list_files', 'read_file'],
  );
});

test('streamed parts assemble into a response; tool calls stop for tool_use; usage is an estimate', async () => {
  const assembler = new LmResponseAssembler();
  assembler.addText('Hel');
  assembler.addText('lo');
  assembler.addToolCall('c9', 'read_file', { path: 'x' });
  const usage = await estimateUsage(request(), [...assembler.blocks], async (text) => estimateTokens(text));
  const response = assembler.finish('copilot/some-model', usage);
  assert.deepEqual(response.content, [
    { type: 'text', text: 'Hello' },
    { type: 'tool_use', id: 'c9', name: 'read_file', input: { path: 'x' } },
  ]);
  assert.deepEqual(response.stopReason, { type: 'tool_use' });
  assert.equal(response.usage.estimated, true);
  assert.ok(response.usage.inputTokens > 0 && response.usage.outputTokens > 0);
  const textOnly = new LmResponseAssembler();
  textOnly.addText('done');
  assert.deepEqual(textOnly.finish('m', usage).stopReason, { type: 'end_turn' });
});

test('LM API errors become clear typed errors', () => {
  assert.ok(toLlmErrorFromLm(new Error('denied'), 'NoPermissions', false, 'GPT') instanceof LlmAuthError);
  assert.match(toLlmErrorFromLm(new Error('denied'), 'NoPermissions', false, 'GPT').message, /consent/);
  assert.ok(toLlmErrorFromLm(new Error('gone'), 'NotFound', false, 'GPT') instanceof LlmUnavailableError);
  assert.ok(toLlmErrorFromLm(new Error('quota'), 'Blocked', false, 'GPT') instanceof LlmRateLimitedError);
  assert.ok(toLlmErrorFromLm(new Error('x'), undefined, false, 'GPT') instanceof LlmRequestError);
  assert.ok(toLlmErrorFromLm(new Error('x'), 'NotFound', true, 'GPT') instanceof LlmCancelledError);
  assert.match(noModelError('{"vendor":"copilot"}').message, /No VS Code language model matches .*Anthropic provider/);
});
