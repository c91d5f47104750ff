/**
 * The facade's diff part: unified diffs for faces that show hunks (`verify`'s drift, the language server).
 * Apart from the light part because it loads the diff library, which the extension's activation does not need.
 */
export { MAX_HUNK_CHARS, unifiedDiff, type UnifiedDiff } from '../evidence/unified-diff';
