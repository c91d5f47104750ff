import type { CommandDefinition } from './agent-definition';

/**
 * Fills a command template: `$ARGUMENTS` gets the whole argument string, `$1`…`$9` the whitespace-separated
 * arguments (double-quoted ones may hold spaces); missing positions become empty.
 */
export function expandCommand(command: CommandDefinition, argumentText: string): string {
  const args = splitArguments(argumentText);
  return command.template
    .replace(/\$ARGUMENTS/g, () => argumentText.trim())
    .replace(/\$([1-9])/g, (_match, digit: string) => args[Number(digit) - 1] ?? '')
    .trim();
}

export function splitArguments(text: string): string[] {
  const args: string[] = [];
  for (const match of text.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    args.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? ''));
  }
  return args;
}
