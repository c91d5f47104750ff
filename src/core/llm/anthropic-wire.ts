/**
 * The `fetch` the Anthropic provider gives the SDK. It changes nothing a current server sees, and smooths
 * over what other correct servers (gateways, proxies, older API stand-ins) do differently on the wire:
 *
 * - a server that only knows the classic `x-api-key` header answers the SDK's `Authorization: Bearer` with
 *   401 "x-api-key header is required": the request is sent once more with `x-api-key`, and every later one
 *   goes that way from the start;
 * - a server that ignores `stream: true` and answers with one JSON message: the SDK would read that body as
 *   an empty event stream and fail with "request ended without sending any chunks" on every retry. The
 *   message is replayed as the SSE event sequence the API would have streamed, so the turn succeeds.
 */
import type { Logger } from '../ports/logger';

type FetchInput = string | URL | Request;

export interface AnthropicWireFetchOptions {
  logger: Logger;
  /** The platform fetch; tests may pass their own. */
  fetch?: (input: FetchInput, init?: RequestInit) => Promise<Response>;
}

export class AnthropicWireFetch {
  private sendKeyAsXApiKey = false;
  private readonly inner: (input: FetchInput, init?: RequestInit) => Promise<Response>;

  constructor(private readonly options: AnthropicWireFetchOptions) {
    this.inner = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Bound, so it can be handed to the SDK as is. */
  readonly fetch = async (input: FetchInput, init?: RequestInit): Promise<Response> => {
    let response = await this.inner(input, this.sendKeyAsXApiKey ? withXApiKey(init) : init);
    if (
      response.status === 401 &&
      !this.sendKeyAsXApiKey &&
      bearerOf(init) !== undefined &&
      (await asksForXApiKey(response))
    ) {
      this.sendKeyAsXApiKey = true;
      this.options.logger.info(
        'The API server asks for the key as x-api-key (not Authorization: Bearer); sending it that way from now on.',
      );
      response = await this.inner(input, withXApiKey(init));
    }
    if (response.ok && isStreamRequest(init) && isJson(response)) {
      this.options.logger.debug(
        'The API server answered a streaming request with a JSON message; replaying it as a stream.',
      );
      return await jsonMessageAsEventStream(response);
    }
    return response;
  };
}

function headersOf(init: RequestInit | undefined): Headers {
  return new Headers(init?.headers);
}

function bearerOf(init: RequestInit | undefined): string | undefined {
  const auth = headersOf(init).get('authorization');
  return auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
}

function withXApiKey(init: RequestInit | undefined): RequestInit | undefined {
  const key = bearerOf(init);
  if (key === undefined) return init;
  const headers = headersOf(init);
  headers.delete('authorization');
  headers.set('x-api-key', key);
  return { ...init, headers };
}

async function asksForXApiKey(response: Response): Promise<boolean> {
  try {
    // "x-api-key header is required": the key was not found, not refused ("invalid x-api-key" stays a 401).
    return /x-api-key[^"]*\b(required|missing)\b/i.test(await response.clone().text());
  } catch (error) {
    // An unreadable 401 body tells us nothing: the 401 stands as it is.
    void error;
    return false;
  }
}

function isStreamRequest(init: RequestInit | undefined): boolean {
  // The SDK serialises the body with JSON.stringify, so the flag appears exactly like this.
  return typeof init?.body === 'string' && init.body.includes('"stream":true');
}

function isJson(response: Response): boolean {
  const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The events the API streams for `message`, in order: what the SDK's message stream expects to read. */
export function messageAsEvents(message: Json): Json[] {
  const content = Array.isArray(message['content']) ? message['content'].filter(isObject) : [];
  const usage = isObject(message['usage']) ? message['usage'] : {};
  const events: Json[] = [
    {
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 0 },
      },
    },
  ];
  content.forEach((block, index) => {
    switch (block['type']) {
      case 'text': {
        events.push({ type: 'content_block_start', index, content_block: { ...block, text: '' } });
        if (typeof block['text'] === 'string' && block['text'] !== '')
          events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: block['text'] } });
        break;
      }
      case 'tool_use':
      case 'server_tool_use': {
        const input = isObject(block['input']) ? block['input'] : {};
        events.push({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
        if (Object.keys(input).length > 0)
          events.push({
            type: 'content_block_delta',
            index,
            delta: { type: 'input_json_delta', partial_json: JSON.stringify(input) },
          });
        break;
      }
      default:
        // Thinking and server-tool results arrive whole in their start event; nothing to stream in pieces.
        events.push({ type: 'content_block_start', index, content_block: block });
        break;
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push({
    type: 'message_delta',
    delta: {
      stop_reason: message['stop_reason'] ?? null,
      stop_sequence: message['stop_sequence'] ?? null,
      stop_details: message['stop_details'] ?? null,
    },
    usage,
  });
  events.push({ type: 'message_stop' });
  return events;
}

async function jsonMessageAsEventStream(response: Response): Promise<Response> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    void error;
    body = undefined;
  }
  const headers = new Headers(response.headers);
  headers.set('content-type', 'text/event-stream; charset=utf-8');
  headers.delete('content-length');
  // Not a message: give the SDK nothing to read, so it fails the way an empty stream does.
  const events = isObject(body) && body['type'] === 'message' ? messageAsEvents(body) : [];
  const sse = events.map((event) => `event: ${String(event['type'])}\ndata: ${JSON.stringify(event)}\n\n`).join('');
  return new Response(sse, { status: response.status, statusText: response.statusText, headers });
}
