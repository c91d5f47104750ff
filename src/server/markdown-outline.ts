import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import { markdownLines } from '../core/speckit/markdown-lines';

/** An ATX heading outside code fences, with its section: up to the next heading of its level or above. */
export interface MarkdownHeading {
  readonly level: number;
  readonly text: string;
  /** 0-based. */
  readonly line: number;
  readonly length: number;
  /** 0-based last line of its section, and that line's length. */
  readonly endLine: number;
  readonly endLength: number;
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;

/** The headings of a Markdown text, in order, with LSP line numbers (LF, CRLF and CR all end a line). */
export function markdownHeadings(text: string): MarkdownHeading[] {
  const lines = markdownLines(text);
  const found: { level: number; text: string; line: number; length: number }[] = [];
  for (const l of lines) {
    if (l.inFence) continue;
    const m = HEADING.exec(l.text);
    if (m?.[1] !== undefined)
      found.push({ level: m[1].length, text: (m[2] ?? '').trim(), line: l.line - 1, length: l.text.length });
  }
  const last = lines.length - 1;
  return found.map((h, k) => {
    const next = found.slice(k + 1).find((o) => o.level <= h.level);
    const endLine = next === undefined ? Math.max(h.line, last) : Math.max(h.line, next.line - 1);
    return { ...h, endLine, endLength: lines[endLine]?.text.length ?? 0 };
  });
}

/** The outline of any Markdown document (plan.md): headings nested by level. */
export function headingSymbols(text: string): DocumentSymbol[] {
  const roots: DocumentSymbol[] = [];
  const stack: { level: number; symbol: DocumentSymbol }[] = [];
  for (const h of markdownHeadings(text)) {
    const symbol: DocumentSymbol = {
      name: h.text === '' ? '#'.repeat(h.level) : h.text,
      kind: h.level <= 1 ? SymbolKind.File : SymbolKind.String,
      range: { start: { line: h.line, character: 0 }, end: { line: h.endLine, character: h.endLength } },
      selectionRange: { start: { line: h.line, character: 0 }, end: { line: h.line, character: h.length } },
      children: [],
    };
    while (stack.length > 0 && (stack[stack.length - 1]?.level ?? 0) >= h.level) stack.pop();
    const parent = stack[stack.length - 1]?.symbol;
    (parent?.children ?? roots).push(symbol);
    stack.push({ level: h.level, symbol });
  }
  return roots;
}
