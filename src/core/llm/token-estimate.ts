/**
 * A cheap, deterministic token estimate for text: about four characters a token for English prose and
 * code. It is an estimate, not the model's tokenizer: good for forecasts, budgets before a call and the
 * VS Code provider's fallback, never for billing when the API reports real usage.
 */
export const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * Framing the API adds around what we send, in tokens: the tool-use system prompt (a few hundred tokens by
 * Anthropic's published counts), role and block markers. Generous on purpose: it only feeds upper bounds.
 */
const REQUEST_OVERHEAD_TOKENS = 1024;
const BLOCK_OVERHEAD_TOKENS = 16;

/**
 * An upper bound on a request's input tokens, for reserving its cost before it is sent: the UTF-8 bytes of
 * everything sent (a byte-level tokenizer never makes more tokens than bytes) plus the framing above. Several
 * times the real count for English and code; that is the price of a budget that is never crossed.
 */
export function inputTokenBound(request: {
  system: readonly { text: string }[];
  messages: readonly { content: readonly unknown[] }[];
  tools: readonly unknown[];
}): number {
  let bytes = 0;
  let blocks = request.system.length + request.tools.length;
  for (const block of request.system) bytes += Buffer.byteLength(block.text, 'utf8');
  for (const tool of request.tools) bytes += Buffer.byteLength(JSON.stringify(tool), 'utf8');
  for (const message of request.messages) {
    blocks += 1 + message.content.length;
    for (const block of message.content) bytes += Buffer.byteLength(JSON.stringify(block), 'utf8');
  }
  return bytes + REQUEST_OVERHEAD_TOKENS + blocks * BLOCK_OVERHEAD_TOKENS;
}
