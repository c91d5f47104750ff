import { join } from 'node:path';
import { markdownLines } from './markdown-lines';
import { readTextFile } from './read-text-file';

export interface ConstitutionPrinciple {
  readonly title: string;
  readonly line: number;
}

export type Constitution =
  | { readonly kind: 'absent'; readonly path: string }
  | { readonly kind: 'unreadable'; readonly path: string; readonly reason: string }
  | {
      readonly kind: 'present';
      readonly path: string;
      readonly text: string;
      readonly principles: readonly ConstitutionPrinciple[];
    };

export function constitutionPath(projectRoot: string): string {
  return join(projectRoot, '.specify', 'memory', 'constitution.md');
}

/** The project's `.specify/memory/constitution.md`; agents get its text verbatim, principles are for display. */
export async function readConstitution(projectRoot: string, signal: AbortSignal): Promise<Constitution> {
  const path = constitutionPath(projectRoot);
  const read = await readTextFile(path, signal);
  if (read.kind === 'missing') return { kind: 'absent', path };
  if (read.kind === 'unreadable') return { kind: 'unreadable', path, reason: read.reason };
  return { kind: 'present', path, text: read.text, principles: parsePrinciples(read.text) };
}

/** spec-kit's constitution template lists principles as `### I. Name` headings under `## Core Principles`. */
export function parsePrinciples(text: string): ConstitutionPrinciple[] {
  const principles: ConstitutionPrinciple[] = [];
  let inCore = false;
  for (const l of markdownLines(text)) {
    if (l.inFence) continue;
    if (/^##\s/.test(l.text)) inCore = /^##\s+Core Principles\b/i.test(l.text);
    const heading = /^###\s+(.+?)\s*$/.exec(l.text)?.[1];
    if (inCore && heading !== undefined) principles.push({ title: heading, line: l.line });
  }
  return principles;
}
