/**
 * A local Messages API for tests and benchmarks: the real SDK is pointed at it through `baseURL`. It speaks
 * the wire format (JSON and the SSE event sequence), rejects what the API rejects, bills prompt caching the
 * way the API does, and can be scripted per test with replies, latency and faults. See README.md.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { estimateTokens } from '../../src/core/llm/token-estimate';
import { minimumCacheableTokens, PromptCache, type CacheBilling, type CacheWrite } from './prompt-cache';
import type { MockBlock, MockFault, MockMessageReply, MockRawReply, MockReply, MockStopReason } from './replies';
import { validateMessagesRequest } from './validate-request';

export interface RecordedRequest {
  index: number;
  requestId: string;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (`undefined` when it was not JSON). */
  body: unknown;
  arrivedAt: number;
  finishedAt?: number;
  /** Requests in flight when this one arrived, itself included. */
  inFlightAtArrival: number;
  status?: number;
  /** The client closed the connection before the response was complete (an abort reached the server). */
  closedByClient: boolean;
  /** What was billed, for answered messages. */
  usage?: Omit<CacheBilling, 'commit'> & { outputTokens: number };
  fault?: MockFault['type'];
}

export type MockHandler = (request: RecordedRequest) => MockReply;

export interface MockAnthropicOptions {
  /** Keys that authenticate; any non-empty key when omitted. */
  apiKeys?: string[];
  /** Delay before the response headers. */
  latencyMs?: number;
  /** Delay between SSE events (0: only a macrotask yield). */
  eventDelayMs?: number;
  /** More than this many requests in flight are answered 429 (the account's concurrency limit). */
  maxConcurrent?: number;
  /** `retry-after` seconds of those 429s (default 1); `retry-after-ms` is added when not whole seconds. */
  rateLimitRetryAfterSeconds?: number;
  /** Answer used when the script queue is empty. Default: a short text reply. */
  handler?: MockHandler;
  minimumCacheableTokens?: (model: string) => number;
  now?: () => number;
  /**
   * How the key must arrive. `any` (default): `x-api-key` or `Authorization: Bearer`, as today's API takes.
   * `x-api-key`: only the classic header, as older stand-ins do: a Bearer key gets 401 "x-api-key header is required".
   */
  authScheme?: 'any' | 'x-api-key';
  /** Answer every request with one JSON message, even when it asked for `stream: true` (some proxies do). */
  ignoresStream?: boolean;
}

export interface MockAnthropic {
  url: string;
  requests: RecordedRequest[];
  /** Queues replies (or functions of the request), used in order, one per `/v1/messages` request. */
  script(...replies: (MockReply | MockHandler)[]): void;
  setHandler(handler: MockHandler): void;
  /** Messages requests answered so far, by status. */
  countByStatus(status: number): number;
  /** Every prefix written to the prompt cache so far, in order (a request may write several). */
  cacheWrites(): readonly CacheWrite[];
  /** How often the most-written prefix was written: 1 when every prefix was written once. */
  maxWritesOfOnePrefix(): number;
  readonly inFlight: number;
  close(): Promise<void>;
}

interface Sse {
  event: string;
  data: unknown;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function newId(prefix: string): string {
  return `${prefix}_mock${randomBytes(8).toString('hex')}`;
}

function errorBody(errorType: string, message: string, requestId: string): string {
  return JSON.stringify({ type: 'error', error: { type: errorType, message }, request_id: requestId });
}

function blockWithIds(
  content: MockBlock[],
): ({ type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> })[] {
  return content.map((block) => (block.type === 'tool_use' ? { ...block, id: block.id ?? newId('toolu') } : block));
}

function outputTokensOf(reply: MockMessageReply | { content: MockBlock[]; outputTokens?: number }): number {
  if (reply.outputTokens !== undefined) return reply.outputTokens;
  const text = reply.content.map((b) => (b.type === 'text' ? b.text : JSON.stringify(b.input))).join('');
  return Math.max(1, estimateTokens(text));
}

/** Splits text into small deltas, as the API streams it. */
function textChunks(text: string): string[] {
  const chunks = text.match(/\S+\s*|\s+/g) ?? [text];
  return chunks.length > 0 ? chunks : [''];
}

/** Splits tool JSON into several partial chunks, never at a boundary a naive client could rely on. */
function jsonChunks(json: string): string[] {
  const parts = Math.min(4, Math.max(3, Math.ceil(json.length / 8)));
  const size = Math.max(1, Math.ceil(json.length / parts));
  const chunks: string[] = [];
  for (let i = 0; i < json.length; i += size) chunks.push(json.slice(i, i + size));
  return chunks;
}

function streamEvents(
  model: string,
  messageId: string,
  content: ReturnType<typeof blockWithIds>,
  stop: { reason: MockStopReason; sequence: string | null; explanation: string | null },
  billing: CacheBilling,
  outputTokens: number,
): Sse[] {
  const usage = {
    input_tokens: billing.inputTokens,
    cache_creation_input_tokens: billing.cacheCreationInputTokens,
    cache_read_input_tokens: billing.cacheReadInputTokens,
    cache_creation: {
      ephemeral_5m_input_tokens: billing.cacheCreation5mInputTokens,
      ephemeral_1h_input_tokens: billing.cacheCreation1hInputTokens,
    },
    output_tokens: 1,
    service_tier: 'standard',
  };
  const events: Sse[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id: messageId,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          stop_details: null,
          usage,
        },
      },
    },
  ];
  content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({
        event: 'content_block_start',
        data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
      });
      if (index === 0) events.push({ event: 'ping', data: { type: 'ping' } });
      for (const chunk of textChunks(block.text)) {
        events.push({
          event: 'content_block_delta',
          data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text: chunk } },
        });
      }
    } else {
      events.push({
        event: 'content_block_start',
        data: {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        },
      });
      if (index === 0) events.push({ event: 'ping', data: { type: 'ping' } });
      for (const chunk of jsonChunks(JSON.stringify(block.input))) {
        events.push({
          event: 'content_block_delta',
          data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: chunk } },
        });
      }
    }
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  });
  events.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: {
        stop_reason: stop.reason,
        stop_sequence: stop.sequence,
        stop_details: stop.reason === 'refusal' ? { category: null, explanation: stop.explanation } : null,
      },
      // Cumulative, as the API reports it.
      usage: {
        input_tokens: billing.inputTokens,
        cache_creation_input_tokens: billing.cacheCreationInputTokens,
        cache_read_input_tokens: billing.cacheReadInputTokens,
        output_tokens: outputTokens,
      },
    },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

export async function startMockAnthropic(options: MockAnthropicOptions = {}): Promise<MockAnthropic> {
  const requests: RecordedRequest[] = [];
  const queue: (MockReply | MockHandler)[] = [];
  let handler: MockHandler = options.handler ?? (() => ({ type: 'message', content: [{ type: 'text', text: 'ok' }] }));
  const cache = new PromptCache(options.minimumCacheableTokens ?? minimumCacheableTokens, options.now);
  let inFlight = 0;
  const sockets = new Set<import('node:net').Socket>();

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function sendError(
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    errorType: string,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    record.status = status;
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': record.requestId, ...headers });
    res.end(errorBody(errorType, message, record.requestId));
  }

  async function writeEvents(res: ServerResponse, events: Sse[], stopAt: number | undefined): Promise<boolean> {
    for (const [index, event] of events.entries()) {
      if (stopAt !== undefined && index >= stopAt) return false;
      if (res.destroyed) return false;
      res.write(
        `event: ${event.event}\ndata: ${typeof event.data === 'string' ? event.data : JSON.stringify(event.data)}\n\n`,
      );
      await (options.eventDelayMs ? sleep(options.eventDelayMs) : new Promise((r) => setImmediate(r)));
    }
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    inFlight++;
    const record: RecordedRequest = {
      index: requests.length,
      requestId: newId('req'),
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      headers: req.headers,
      body,
      arrivedAt: Date.now(),
      inFlightAtArrival: inFlight,
      closedByClient: false,
    };
    requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.closedByClient = true;
      record.finishedAt = Date.now();
      inFlight--;
    });

    if (record.method !== 'POST' || record.path !== '/v1/messages') {
      sendError(res, record, 404, 'not_found_error', `Not found: ${record.method} ${record.path}`);
      return;
    }
    if (raw.length > 0 && body === undefined) {
      sendError(res, record, 400, 'invalid_request_error', 'The request body is not valid JSON.');
      return;
    }
    const rejection = validateMessagesRequest(req.headers, body, options.apiKeys, options.authScheme ?? 'any');
    if (rejection) {
      sendError(res, record, rejection.status, rejection.errorType, rejection.message);
      return;
    }
    if (options.maxConcurrent !== undefined && inFlight > options.maxConcurrent) {
      const seconds = options.rateLimitRetryAfterSeconds ?? 1;
      const headers: Record<string, string> = { 'retry-after': String(Math.max(1, Math.ceil(seconds))) };
      if (!Number.isInteger(seconds)) headers['retry-after-ms'] = String(Math.round(seconds * 1000));
      record.fault = 'http-error';
      sendError(
        res,
        record,
        429,
        'rate_limit_error',
        `Number of concurrent connections has exceeded your rate limit (${options.maxConcurrent}).`,
        headers,
      );
      return;
    }

    // Billed as the request arrives; its cache writes become readable only when its response begins.
    const json = body as Record<string, unknown>;
    const model = String(json['model']);
    const billing = cache.bill(model, json);
    const commit = billing.commit;
    const next = queue.shift() ?? handler;
    const reply = typeof next === 'function' ? next(record) : next;
    if (options.latencyMs) await sleep(options.latencyMs);
    if (reply.type === 'raw') {
      commit();
      await sendRaw(res, record, reply);
      return;
    }

    const fault = reply.type === 'fault' ? reply.fault : undefined;
    if (fault) record.fault = fault.type;
    if (fault?.type === 'http-error') {
      sendError(res, record, fault.status, fault.errorType, fault.message, fault.headers);
      return;
    }

    const content = blockWithIds(reply.content ?? []);
    const messageReply: MockMessageReply =
      reply.type === 'message'
        ? reply
        : {
            type: 'message',
            content: reply.content ?? [],
            ...(reply.outputTokens !== undefined ? { outputTokens: reply.outputTokens } : {}),
          };
    const stopReason: MockStopReason =
      messageReply.stopReason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
    // The API never writes (or bills) more output than the request's `max_tokens` allows.
    const maxTokens = typeof json['max_tokens'] === 'number' ? json['max_tokens'] : Number.POSITIVE_INFINITY;
    const outputTokens = Math.min(outputTokensOf(messageReply), maxTokens);
    const { commit: _commit, ...billed } = billing;
    record.usage = { ...billed, outputTokens };
    const stop = {
      reason: stopReason,
      sequence: stopReason === 'stop_sequence' ? (messageReply.stopSequence ?? null) : null,
      explanation: messageReply.refusalExplanation ?? null,
    };
    const messageId = newId('msg');

    if (json['stream'] !== true || options.ignoresStream === true) {
      if (fault) {
        // Mid-stream faults have no meaning without a stream: fail the way a dropped connection would.
        res.socket?.destroy();
        return;
      }
      record.status = 200;
      commit();
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': record.requestId });
      res.end(
        JSON.stringify({
          id: messageId,
          type: 'message',
          role: 'assistant',
          model,
          content,
          stop_reason: stop.reason,
          stop_sequence: stop.sequence,
          stop_details: stop.reason === 'refusal' ? { category: null, explanation: stop.explanation } : null,
          usage: {
            input_tokens: billing.inputTokens,
            cache_creation_input_tokens: billing.cacheCreationInputTokens,
            cache_read_input_tokens: billing.cacheReadInputTokens,
            cache_creation: {
              ephemeral_5m_input_tokens: billing.cacheCreation5mInputTokens,
              ephemeral_1h_input_tokens: billing.cacheCreation1hInputTokens,
            },
            output_tokens: outputTokens,
            service_tier: 'standard',
          },
        }),
      );
      return;
    }

    record.status = 200;
    commit();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'request-id': record.requestId,
    });
    const events = streamEvents(model, messageId, content, stop, billing, outputTokens);
    const complete = await writeEvents(res, events, fault?.afterEvents);
    if (complete) {
      res.end();
      return;
    }
    switch (fault?.type) {
      case 'sse-error':
        res.write(`event: error\ndata: ${errorBody(fault.errorType, fault.message, record.requestId)}\n\n`);
        res.end();
        return;
      case 'cut':
      case 'stall':
        finish(res, fault.type);
        return;
      case undefined:
        finish(res, 'end');
        return;
      default: {
        const never: never = fault;
        throw new Error(`unhandled fault ${JSON.stringify(never)}`);
      }
    }
  }

  async function sendRaw(res: ServerResponse, record: RecordedRequest, reply: MockRawReply): Promise<void> {
    const status = reply.status ?? 200;
    record.status = status;
    const sse = reply.events !== undefined;
    res.writeHead(status, {
      'content-type': sse ? 'text/event-stream; charset=utf-8' : 'application/json',
      ...(reply.omitRequestId ? {} : { 'request-id': record.requestId }),
      ...reply.headers,
    });
    if (!sse) {
      res.end(reply.body ?? '');
      return;
    }
    if (await writeEvents(res, reply.events ?? [], undefined)) finish(res, reply.end ?? 'end');
  }

  function finish(res: ServerResponse, how: 'end' | 'cut' | 'stall'): void {
    switch (how) {
      case 'end':
        res.end();
        return;
      case 'cut':
        res.socket?.destroy();
        return;
      case 'stall':
        // Say nothing more; the client's idle timeout or abort closes the connection.
        return;
      default: {
        const never: never = how;
        throw new Error(`unknown ending ${String(never)}`);
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(errorBody('api_error', `mock failure: ${String(error)}`, 'req_mock_internal'));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...replies) => {
      queue.push(...replies);
    },
    setHandler: (next) => {
      handler = next;
    },
    countByStatus: (status) => requests.filter((r) => r.path === '/v1/messages' && r.status === status).length,
    cacheWrites: () => cache.writes,
    maxWritesOfOnePrefix: () => {
      const counts = new Map<string, number>();
      for (const write of cache.writes) counts.set(write.prefix, (counts.get(write.prefix) ?? 0) + 1);
      return Math.max(0, ...counts.values());
    },
    get inFlight() {
      return inFlight;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
