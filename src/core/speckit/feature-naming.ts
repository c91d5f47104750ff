/**
 * How a feature folder's name identifies it. spec-kit numbers folders `NNN-slug` (3 digits, more once a
 * project passes 999), optionally `YYYYMMDD-HHMMSS-slug` timestamps; users also hand-name folders.
 */
import { assertNever } from '../util/assert-never';

export type FeatureNaming =
  | { readonly kind: 'numbered'; readonly prefix: string; readonly number: number }
  | { readonly kind: 'timestamped'; readonly prefix: string }
  | { readonly kind: 'named' }
  /** The older layout that keeps a lone `tasks.md` directly in `.specify/`. */
  | { readonly kind: 'specify-dir' };

export type PrefixedNaming = Extract<FeatureNaming, { readonly prefix: string }>;

export interface ParsedFeatureName {
  readonly naming: FeatureNaming;
  readonly slug: string;
}

const TIMESTAMPED = /^(\d{8}-\d{6})(?:-(.*))?$/;
const NUMBERED = /^(\d+)(?:-(.*))?$/;

export function parseFeatureName(folderName: string): ParsedFeatureName {
  const stamp = TIMESTAMPED.exec(folderName);
  if (stamp?.[1] !== undefined) return { naming: { kind: 'timestamped', prefix: stamp[1] }, slug: stamp[2] ?? '' };
  const numbered = NUMBERED.exec(folderName);
  if (numbered?.[1] !== undefined) {
    return { naming: { kind: 'numbered', prefix: numbered[1], number: Number(numbered[1]) }, slug: numbered[2] ?? '' };
  }
  return { naming: { kind: 'named' }, slug: folderName };
}

/** The prefix a branch or argument names, if any: `004-x`, `feat/004-x` and `004` all name prefix 004. */
export function prefixOf(name: string): PrefixedNaming | undefined {
  const parsed = parseFeatureName(name);
  switch (parsed.naming.kind) {
    case 'numbered':
    case 'timestamped':
      return parsed.naming;
    case 'named':
    case 'specify-dir':
      return undefined;
    default:
      return assertNever(parsed.naming);
  }
}

/** Same prefix: numbers compare by value (`3`, `003` and `0003` agree), timestamps by text. */
export function samePrefix(a: FeatureNaming, b: FeatureNaming): boolean {
  if (a.kind === 'numbered' && b.kind === 'numbered') return a.number === b.number;
  if (a.kind === 'timestamped' && b.kind === 'timestamped') return a.prefix === b.prefix;
  return false;
}
