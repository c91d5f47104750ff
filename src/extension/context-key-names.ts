// No `vscode` here: unit tests check package.json's when clauses against these names.
/** The `when`-clause keys package.json menus use; set from the session so a menu never offers what cannot run. */
export const ContextKey = {
  activated: 'speckitOrchestra.activated',
  runActive: 'speckitOrchestra.runActive',
  pendingEdits: 'speckitOrchestra.pendingEdits',
  interruptedRun: 'speckitOrchestra.interruptedRun',
  hasTasks: 'speckitOrchestra.hasTasks',
  /** The first look for spec-kit features has answered (found some, none, or failed). */
  scanned: 'speckitOrchestra.scanned',
  scanFailed: 'speckitOrchestra.scanFailed',
  /** An Anthropic key is stored, or the VS Code language-model provider is chosen: the walkthrough's first step. */
  modelReady: 'speckitOrchestra.modelReady',
} as const;

export type ContextKeyName = (typeof ContextKey)[keyof typeof ContextKey];
