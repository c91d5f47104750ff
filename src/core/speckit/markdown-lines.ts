/** One physical line of a Markdown file, without its line ending, and whether it sits inside a code fence. */
export interface MarkdownLine {
  /** 1-based. */
  readonly line: number;
  readonly text: string;
  /** True for fence delimiters and everything between them: spec-kit puts example task lines inside fences. */
  readonly inFence: boolean;
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Splits Markdown into lines (LF, CRLF or CR; a leading BOM dropped) and marks fenced code following
 * CommonMark: a fence closes only with the same character, at least as long, and nothing after it.
 * An unclosed fence runs to the end of the file, as CommonMark says.
 */
export function markdownLines(text: string): MarkdownLine[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const raw = body.split(/\r\n|\r|\n/);
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  const result: MarkdownLine[] = [];
  let fence: string | undefined;
  raw.forEach((textOfLine, index) => {
    if (fence === undefined) {
      const open = FENCE_OPEN.exec(textOfLine);
      const marker = open?.[1];
      // A backtick fence's info string may not contain backticks (CommonMark 4.5).
      if (marker !== undefined && !(marker.startsWith('`') && textOfLine.slice(textOfLine.indexOf(marker) + marker.length).includes('`'))) {
        fence = marker;
        result.push({ line: index + 1, text: textOfLine, inFence: true });
        return;
      }
      result.push({ line: index + 1, text: textOfLine, inFence: false });
      return;
    }
    result.push({ line: index + 1, text: textOfLine, inFence: true });
    const trimmed = textOfLine.trim();
    if (/^ {0,3}(`{3,}|~{3,})\s*$/.test(textOfLine) && trimmed[0] === fence[0] && trimmed.length >= fence.length) {
      fence = undefined;
    }
  });
  return result;
}
