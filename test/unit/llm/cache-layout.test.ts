import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAnthropicParams, countCacheBreakpoints, MAX_CACHE_BREAKPOINTS } from '../../../src/core/llm/cache-layout';
import { listFilesTool, readFileTool, request, userText } from './llm-test-kit';

test('layout: tools sorted, a breakpoint after the feature context and one on the latest turn', () => {
  const params = buildAnthropicParams(
    request({
      tools: [readFileTool, listFilesTool],
      system: [{ text: 'role prompt' }, { text: 'constitution, spec and plan', cacheBreakpoint: true }],
      messages: [
        userText('task'),
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'read_file', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', toolUseId: 't1', content: 'file text' }] },
      ],
    }),
  );
  const toolNames: string[] = [];
  for (const tool of params.tools) toolNames.push(tool.name);
  assert.deepEqual(toolNames, ['list_files', 'read_file']);
  assert.equal(
    params.tools.some((t) => t.cache_control),
    false,
    'the system breakpoint already covers the tools',
  );
  assert.equal(params.system[0]?.cache_control, undefined);
  assert.deepEqual(params.system[1]?.cache_control, { type: 'ephemeral' });
  const last = params.messages.at(-1)?.content;
  assert.ok(Array.isArray(last));
  assert.deepEqual((last.at(-1) as { cache_control?: unknown }).cache_control, { type: 'ephemeral' });
  assert.equal(
    (params.messages[0]?.content as { cache_control?: unknown }[])[0]?.cache_control,
    undefined,
    'earlier turns carry none',
  );
  assert.equal(countCacheBreakpoints(params), 2);
});

test('never more than four breakpoints, however many the caller marks; the latest ones are kept', () => {
  const system = Array.from({ length: 7 }, (_, i) => ({ text: `part ${i}`, cacheBreakpoint: true }));
  const params = buildAnthropicParams(request({ system }));
  assert.equal(countCacheBreakpoints(params), MAX_CACHE_BREAKPOINTS);
  assert.deepEqual(
    params.system.map((b) => Boolean(b.cache_control)),
    [false, false, false, false, true, true, true],
  );
  const last = params.messages.at(-1)?.content;
  assert.ok(Array.isArray(last) && (last.at(-1) as { cache_control?: unknown }).cache_control);
});

test('with no system breakpoint the tools are marked; with caching off nothing is', () => {
  const marked = buildAnthropicParams(request({ system: [{ text: 'role' }], tools: [readFileTool, listFilesTool] }));
  assert.deepEqual(marked.tools.at(-1)?.cache_control, { type: 'ephemeral' });
  assert.equal(countCacheBreakpoints(marked), 2);
  const off = buildAnthropicParams(request({ caching: false }));
  assert.equal(countCacheBreakpoints(off), 0);
});

test('the 1-hour TTL is passed through and tool results keep is_error', () => {
  const params = buildAnthropicParams(
    request({
      cacheTtl: '1h',
      messages: [
        userText('t'),
        { role: 'assistant', content: [{ type: 'tool_use', id: 'x', name: 'read_file', input: { path: 'a' } }] },
        { role: 'user', content: [{ type: 'tool_result', toolUseId: 'x', content: 'nope', isError: true }] },
      ],
    }),
  );
  assert.deepEqual(params.system[0]?.cache_control, { type: 'ephemeral', ttl: '1h' });
  const result = (params.messages[2]?.content as unknown as Record<string, unknown>[])[0];
  assert.equal(result?.['is_error'], true);
  assert.equal(result?.['tool_use_id'], 'x');
});

test('the same request lays out byte for byte the same', () => {
  const a = JSON.stringify(buildAnthropicParams(request({ tools: [readFileTool, listFilesTool] })));
  const b = JSON.stringify(buildAnthropicParams(request({ tools: [listFilesTool, readFileTool] })));
  assert.equal(a, b);
});
