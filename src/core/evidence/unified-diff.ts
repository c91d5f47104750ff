import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/** Characters of one diff kept in a journal record or a report; the whole change stays in the run's blobs. */
export const MAX_HUNK_CHARS = 64 * 1024;

export interface UnifiedDiff {
  text: string;
  truncated: boolean;
}

/**
 * A unified diff from `before` to `after` (null: the file does not exist), with `a/` and `b/` headers as
 * `patch -p1` and review tools read them, cut at `maxChars` on a line boundary.
 */
export function unifiedDiff(
  path: string,
  before: string | null,
  after: string | null,
  maxChars: number = MAX_HUNK_CHARS,
): UnifiedDiff {
  const text = createTwoFilesPatch(
    before === null ? '/dev/null' : `a/${path}`,
    after === null ? '/dev/null' : `b/${path}`,
    before ?? '',
    after ?? '',
    undefined,
    undefined,
    { context: 3, headerOptions: FILE_HEADERS_ONLY },
  );
  if (text.length <= maxChars) return { text, truncated: false };
  const cut = text.lastIndexOf('\n', maxChars);
  return {
    text: `${text.slice(0, cut < 0 ? maxChars : cut + 1)}… (diff cut at ${maxChars} characters)\n`,
    truncated: true,
  };
}
