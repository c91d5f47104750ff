/**
 * What a scripted mock answers: a message (text and tool calls, a stop reason) or a fault. Helpers keep
 * tests short: `reply.text('hi')`, `reply.tools([{ name: 'read_file', input: { path: 'a' } }])`,
 * `reply.rateLimited(2)`, `reply.cutAfter(5)`.
 */
export type MockStopReason =
  'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

export type MockBlock =
  { type: 'text'; text: string } | { type: 'tool_use'; id?: string; name: string; input: Record<string, unknown> };

export interface MockMessageReply {
  type: 'message';
  content: MockBlock[];
  /** Defaults to `tool_use` when the content has a tool call, else `end_turn`. */
  stopReason?: MockStopReason;
  stopSequence?: string;
  refusalExplanation?: string;
  /** Reported output tokens; estimated from the content when omitted. */
  outputTokens?: number;
}

export type MockFault =
  /** An HTTP error before any body: 429 (with `retry-after`), 529 overloaded, 500, 401... */
  | { type: 'http-error'; status: number; errorType: string; message: string; headers?: Record<string, string> }
  /** An SSE `event: error` after `afterEvents` events of a normal stream, then the response ends. */
  | { type: 'sse-error'; afterEvents: number; errorType: string; message: string }
  /** The connection is destroyed after `afterEvents` events. */
  | { type: 'cut'; afterEvents: number }
  /** Nothing more is sent after `afterEvents` events; the response stays open until the client gives up. */
  | { type: 'stall'; afterEvents: number };

/** One SSE event as written on the wire: `event: <event>` and `data: <data>` (JSON unless already a string). */
export interface MockRawEvent {
  event: string;
  data: unknown;
}

/**
 * Bytes of the test's choosing, for wire variations the helpers above never produce (other event types,
 * thinking blocks, a reply cut mid-tool-call, an error body without `request_id`…). The request is still
 * checked and recorded like any other; keeping the reply wire-true is the test's job.
 */
export interface MockRawReply {
  type: 'raw';
  /** Default 200. */
  status?: number;
  /** Added to the defaults (`content-type` for SSE or JSON, and `request-id` unless `omitRequestId`). */
  headers?: Record<string, string>;
  /** An SSE body, event by event. */
  events?: MockRawEvent[];
  /** A body written as is (when no `events`), served as JSON. */
  body?: string;
  omitRequestId?: boolean;
  /** After the events: end the response (default), destroy the socket, or say nothing more. */
  end?: 'end' | 'cut' | 'stall';
}

export interface MockFaultReply {
  type: 'fault';
  fault: MockFault;
  /** The message streamed before a mid-stream fault. */
  content?: MockBlock[];
  /** Output tokens billed for a reply that breaks off (the server may have written more than was sent). */
  outputTokens?: number;
}

export type MockReply = MockMessageReply | MockRawReply | MockFaultReply;

export const reply = {
  text(text: string, stopReason?: MockStopReason): MockMessageReply {
    return { type: 'message', content: [{ type: 'text', text }], ...(stopReason ? { stopReason } : {}) };
  },
  tools(calls: { name: string; input: Record<string, unknown>; id?: string }[], preamble?: string): MockMessageReply {
    const content: MockBlock[] = preamble ? [{ type: 'text', text: preamble }] : [];
    for (const call of calls)
      content.push({ type: 'tool_use', name: call.name, input: call.input, ...(call.id ? { id: call.id } : {}) });
    return { type: 'message', content, stopReason: 'tool_use' };
  },
  rateLimited(retryAfterSeconds: number, extraHeaders: Record<string, string> = {}): MockReply {
    return {
      type: 'fault',
      fault: {
        type: 'http-error',
        status: 429,
        errorType: 'rate_limit_error',
        message: 'Number of request tokens has exceeded your per-minute rate limit',
        headers: { 'retry-after': String(retryAfterSeconds), ...extraHeaders },
      },
    };
  },
  overloaded(): MockReply {
    return {
      type: 'fault',
      fault: { type: 'http-error', status: 529, errorType: 'overloaded_error', message: 'Overloaded' },
    };
  },
  serverError(): MockReply {
    return {
      type: 'fault',
      fault: { type: 'http-error', status: 500, errorType: 'api_error', message: 'Internal server error' },
    };
  },
  sseErrorAfter(
    afterEvents: number,
    errorType = 'overloaded_error',
    text = 'partial text that will be thrown away',
  ): MockFaultReply {
    return {
      type: 'fault',
      fault: {
        type: 'sse-error',
        afterEvents,
        errorType,
        message: errorType === 'overloaded_error' ? 'Overloaded' : 'Internal server error',
      },
      content: [{ type: 'text', text }],
    };
  },
  cutAfter(afterEvents: number, text = 'partial text that will be cut off'): MockFaultReply {
    return { type: 'fault', fault: { type: 'cut', afterEvents }, content: [{ type: 'text', text }] };
  },
  stallAfter(afterEvents: number, text = 'partial text and then silence'): MockFaultReply {
    return { type: 'fault', fault: { type: 'stall', afterEvents }, content: [{ type: 'text', text }] };
  },
  /** An SSE body of the test's own events, each named by its `type` as the API does. */
  sse(events: Record<string, unknown>[], extra: Omit<MockRawReply, 'type' | 'events' | 'body'> = {}): MockRawReply {
    return { type: 'raw', events: events.map((data) => ({ event: String(data['type']), data })), ...extra };
  },
  /** An error in the API's shape, optionally without the `request_id` field and header a gateway may drop. */
  error(
    status: number,
    errorType: string,
    message: string,
    options: { requestId?: boolean; headers?: Record<string, string> } = {},
  ): MockRawReply {
    const body =
      options.requestId === false
        ? { type: 'error', error: { type: errorType, message } }
        : { type: 'error', error: { type: errorType, message }, request_id: 'req_mockraw0001' };
    return {
      type: 'raw',
      status,
      body: JSON.stringify(body),
      ...(options.requestId === false ? { omitRequestId: true } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
    };
  },
};
