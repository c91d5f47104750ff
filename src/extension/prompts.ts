import * as vscode from 'vscode';

/**
 * The modal questions of the extension, as one replaceable port. A modal blocks until answered and an
 * extension host cannot click it, so the extension's API hands this object out and host tests put their
 * own answers in; every caller reads `modal` at call time, never a copy.
 */
export interface Prompts {
  /** A modal warning; resolves to the action chosen, or undefined when the user cancelled. */
  modal: (message: string, detail: string, ...actions: string[]) => Promise<string | undefined>;
}

export function createPrompts(): Prompts {
  return {
    modal: async (message, detail, ...actions) =>
      vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions),
  };
}
