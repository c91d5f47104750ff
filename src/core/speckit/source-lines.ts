import type { Eol, Range } from './tasks-model';

const BLANK = /^\s*$/;

/**
 * A text's lines as an editor and LSP count them: `\r\n`, `\n` and a lone `\r` (old Mac files) each end a line,
 * and line 0 starts after a byte order mark, so character positions are the editor's while offsets still index
 * the whole text.
 */
export class SourceLines {
  readonly text: string;
  private readonly texts: string[] = [];
  private readonly starts: number[] = [];

  constructor(text: string) {
    this.text = text;
    // One pass with indexOf, no copy of the text and no string per line break. The next `\n` and the next `\r`
    // are each looked up again only once passed, so a file without `\r` is searched for one once, not per line.
    let start = text.startsWith('\uFEFF') ? 1 : 0;
    let nextLf = text.indexOf('\n', start);
    let nextCr = text.indexOf('\r', start);
    for (;;) {
      if (nextLf >= 0 && nextLf < start) nextLf = text.indexOf('\n', start);
      if (nextCr >= 0 && nextCr < start) nextCr = text.indexOf('\r', start);
      const end = Math.min(nextLf < 0 ? text.length : nextLf, nextCr < 0 ? text.length : nextCr);
      this.texts.push(text.slice(start, end));
      this.starts.push(start);
      if (end === text.length) break;
      start = end + (text.startsWith('\r\n', end) ? 2 : 1);
    }
  }

  get count(): number {
    return this.texts.length;
  }

  /** The line's text without its line ending. */
  line(index: number): string {
    return this.texts[index] ?? '';
  }

  /** Offset of the line's first character in the text. */
  start(index: number): number {
    return this.starts[index] ?? this.text.length;
  }

  /** Offset just past the line's last character (before its line ending). */
  end(index: number): number {
    return this.start(index) + this.line(index).length;
  }

  isBlank(index: number): boolean {
    return BLANK.test(this.line(index));
  }

  /** The last line at or above `last`, and not above `floor`, that is not blank. */
  lastFilled(floor: number, last: number): number {
    let line = last;
    while (line > floor && this.isBlank(line)) line -= 1;
    return line;
  }

  /** From the start of `first` to the end of `last`. */
  span(first: number, last: number): Range {
    return spanRange(first, 0, last, this.line(last).length);
  }
}

export function lineRange(line: number, startCharacter: number, endCharacter: number): Range {
  return spanRange(line, startCharacter, line, endCharacter);
}

export function spanRange(startLine: number, startCharacter: number, endLine: number, endCharacter: number): Range {
  return { start: { line: startLine, character: startCharacter }, end: { line: endLine, character: endCharacter } };
}

/** The line ending the file mostly uses, judged by its first line break. */
export function eolOf(text: string): Eol {
  const m = /\r\n|\r|\n/.exec(text);
  return m === null ? '\n' : (m[0] as Eol);
}

/**
 * The first line after YAML front matter (`---` on line 0 through the next `---` or `...`), or 0 without any:
 * its `key: value` lines are neither prose nor a setext heading.
 */
export function frontMatterEnd(lines: SourceLines): number {
  if (lines.line(0).trimEnd() !== '---') return 0;
  for (let index = 1; index < lines.count; index += 1) {
    const line = lines.line(index).trimEnd();
    if (line === '---' || line === '...') return index + 1;
  }
  return 0;
}
