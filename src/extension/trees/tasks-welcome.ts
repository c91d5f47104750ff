/**
 * Where the look for spec-kit features stands. The Tasks view's welcome text follows it, so the view never says
 * "no tasks.md here" before the first look has answered.
 */
export type ScanState = { kind: 'scanning' } | { kind: 'done'; features: number } | { kind: 'failed'; message: string };

/** The context keys the Tasks view's `viewsWelcome` entries read (package.json), by their short names. */
export interface WelcomeKeys {
  scanned: boolean;
  hasTasks: boolean;
  scanFailed: boolean;
}

export function welcomeKeys(state: ScanState): WelcomeKeys {
  switch (state.kind) {
    case 'scanning':
      return { scanned: false, hasTasks: false, scanFailed: false };
    case 'done':
      return { scanned: true, hasTasks: state.features > 0, scanFailed: false };
    case 'failed':
      return { scanned: true, hasTasks: false, scanFailed: true };
  }
}
