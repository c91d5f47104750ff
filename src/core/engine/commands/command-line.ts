export type CommandLineParse = { kind: 'ok'; argv: string[] } | { kind: 'refused'; reason: string };

/** What a shell would act on; commands run without one, so these would silently mean something else. */
const SHELL_ONLY = /[|&;<>()$`\\*?~{}!]/;

/**
 * Splits a command line such as `npm test -- --grep "a b"` into argv, without a shell: whitespace separates,
 * single or double quotes group. Pipes, redirections, `&&`, variables, globs and the like are refused with
 * the reason, because without a shell they would be passed to the program as plain text.
 */
export function parseCommandLine(text: string): CommandLineParse {
  const argv: string[] = [];
  let current = '';
  let inToken = false;
  let quote: '"' | "'" | undefined;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (quote === '"' && /[$`\\]/.test(ch)) return refusedFor(ch);
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (ch === '\n' || ch === '\r')
        return { kind: 'refused', reason: 'one command on one line: it runs without a shell' };
      if (inToken) argv.push(current);
      current = '';
      inToken = false;
    } else if (SHELL_ONLY.test(ch)) {
      return refusedFor(ch);
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (quote) return { kind: 'refused', reason: `unbalanced ${quote} quote` };
  if (inToken) argv.push(current);
  if (argv.length === 0) return { kind: 'refused', reason: 'the command is empty' };
  return { kind: 'ok', argv };
}

function refusedFor(ch: string): CommandLineParse {
  return {
    kind: 'refused',
    reason: `'${ch}' needs a shell, and commands run without one (no pipes, redirections, &&, variables or globs): put it in a script and name that, e.g. "npm test"`,
  };
}
