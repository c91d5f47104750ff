/**
 * A cheap, deterministic token estimate for text: about four characters a token for English prose and
 * code. It is an estimate, not the model's tokenizer: good for forecasts, budgets before a call and the
 * VS Code provider's fallback, never for billing when the API reports real usage.
 */
export const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / CHARS_PER_TOKEN);
}
