import type { ListOutcome, ReadOutcome, SearchOutcome } from '../../ports/workspace';

/** The agent-facing sentence for a read/list/search that did not produce content. */
export function describeUnreadable(
  outcome:
    | Exclude<ReadOutcome, { kind: 'text' }>
    | Exclude<ListOutcome, { kind: 'listed' }>
    | Exclude<SearchOutcome, { kind: 'matches' }>,
  path: string,
): string {
  switch (outcome.kind) {
    case 'refused':
      return `Refused: ${outcome.reason}`;
    case 'not-found':
      return `${path} does not exist. Use list_directory to see what is there.`;
    case 'not-a-file':
      return `${path} is a folder; use list_directory for folders.`;
    case 'not-a-directory':
      return `${path} is a file; use read_file for files.`;
    case 'binary':
      return `${path} is a binary file (${outcome.size} bytes) and cannot be shown as text.`;
    case 'too-large':
      return `${path} is too large to read (${outcome.size} bytes, limit ${outcome.limit}).`;
    case 'invalid-pattern':
      return outcome.what === 'glob'
        ? `The glob cannot be used: ${outcome.message}`
        : `The search pattern is not a valid regular expression: ${outcome.message}`;
  }
}
