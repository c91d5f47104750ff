/**
 * Secrets never leave the process in anything the product prints, logs or journals. A gateway that echoes the
 * key in an error message must not put it on a terminal, in a log channel or in `journal.jsonl`: every such
 * sink passes its text through `redactSecrets` (the CLI's output streams, the extension's log channel, the
 * run's event stream, the journal writer).
 *
 * Two kinds are redacted: the keys this process was given (remembered where they are read: the CLI's
 * environment, the provider that sends them), whatever their shape; and anything shaped like an Anthropic key
 * (`sk-ant-…`), known or not. Process-wide on purpose: a key belongs to the process, not to one run.
 */

const REDACTED = '[redacted]';
/** An Anthropic key's shape: `sk-ant-` then the key's own characters (`api03-…`, `admin01-…`). */
const ANTHROPIC_KEY_SHAPE = /sk-ant-[A-Za-z0-9_-]+/g;
/** Shorter values are not treated as secrets: redacting "abc" everywhere would garble output, not protect it. */
const MIN_SECRET_LENGTH = 8;

const known = new Set<string>();

/** Remembers a secret (an API key, a token) so that every later `redactSecrets` hides it. */
export function rememberSecret(value: string | undefined): void {
  const trimmed = value?.trim();
  if (trimmed !== undefined && trimmed.length >= MIN_SECRET_LENGTH) known.add(trimmed);
}

/** The text with every remembered secret and every `sk-ant-…` string replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out.replace(ANTHROPIC_KEY_SHAPE, `sk-ant-${REDACTED}`);
}

/** A copy of a JSON-like value (an event, a record) with every string in it redacted; unchanged parts are shared. */
export function redactDeep<T>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) {
    const items = value.map(redactValue);
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (value instanceof Error) {
    const message = redactSecrets(value.message);
    if (message === value.message && (value.stack === undefined || redactSecrets(value.stack) === value.stack))
      return value;
    const copy = new Error(message, { cause: value.cause });
    copy.name = value.name;
    if (value.stack !== undefined) copy.stack = redactSecrets(value.stack);
    return copy;
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    let changed = false;
    const entries = Object.entries(value).map(([key, item]) => {
      const redacted = redactValue(item);
      if (redacted !== item) changed = true;
      return [key, redacted] as const;
    });
    return changed ? Object.fromEntries(entries) : value;
  }
  return value;
}
