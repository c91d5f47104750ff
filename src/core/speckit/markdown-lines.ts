import { closesFence, matchFence, type FenceMarker } from './tasks-line';

/** One physical line of a Markdown file, without its line ending, and whether it sits inside a code fence. */
export interface MarkdownLine {
  /** 1-based. */
  readonly line: number;
  readonly text: string;
  /** True for fence delimiters and everything between them: spec-kit puts example items inside fences. */
  readonly inFence: boolean;
}

/**
 * Splits Markdown into lines (LF, CRLF or CR; a leading BOM dropped) and marks fenced code with the same
 * fence rules the tasks.md parser uses, so a checklist, spec and tasks.md agree on what is code. An
 * unclosed fence runs to the end of the file, as CommonMark says.
 */
export function markdownLines(text: string): MarkdownLine[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const raw = body.split(/\r\n|\r|\n/);
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  let fence: FenceMarker | undefined;
  return raw.map((textOfLine, index) => {
    if (fence === undefined) {
      fence = matchFence(textOfLine);
      return { line: index + 1, text: textOfLine, inFence: fence !== undefined };
    }
    if (closesFence(fence, textOfLine)) fence = undefined;
    return { line: index + 1, text: textOfLine, inFence: true };
  });
}
