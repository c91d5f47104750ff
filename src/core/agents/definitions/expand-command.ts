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

/**
 * A worker's instruction from its commands, outermost first (`/spec-kit:implement`, then the role's own):
 * each named with its arguments and argument hint, then its template filled in. What the engine adds after
 * it (the task's files, the spec lines it cites) is context, not instruction.
 */
export function commandInstruction(commands: readonly CommandDefinition[], argumentText: string): string {
  return commands
    .map((command) => {
      const hint = command.argumentHint !== undefined ? ` (arguments: ${command.argumentHint})` : '';
      return `## /${command.name} ${argumentText.trim()}\n${command.description}${hint}\n\n${expandCommand(command, argumentText)}`;
    })
    .join('\n\n');
}

/**
 * The tools a worker keeps under its commands: a command's `allowed-tools` narrows the role's tools (every
 * command that lists some narrows further); `keep` (complete_task, a reviewer's report tool) always stays.
 */
export function narrowTools<T extends string>(
  tools: readonly T[],
  commands: readonly CommandDefinition[],
  keep: readonly string[] = [],
): T[] {
  return tools.filter(
    (tool) =>
      keep.includes(tool) ||
      commands.every((command) => command.allowedTools === undefined || command.allowedTools.some((t) => t === tool)),
  );
}
