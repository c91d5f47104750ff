/**
 * Messages between the extension and the Progress webview, both ways. Each side checks what it receives
 * (`parseWebviewToHost` here for the extension; media/progress.js mirrors `isHostToWebview` for the page):
 * a webview is another process whose messages are `unknown` until narrowed.
 */
import type { LogLevel, RunOutcome, UsageTotals, WorkerRole } from './engine-events';

export interface PhaseProgress {
  index: number;
  title: string;
  done: number;
  failed: number;
  total: number;
}

export interface WorkerProgress {
  workerId: string;
  role: WorkerRole;
  taskId: string;
  activity: string;
  /** The slash commands its instruction was built from: `/spec-kit:implement /test`; empty when none. */
  command: string;
}

/** The validation phase as the panel shows it: the verdict counts and each requirement that is not met. */
export interface ValidationProgress {
  /** `9 requirements: 7 met, 1 partial, 1 missing · tests pass` */
  summary: string;
  /** A requirement is missing or the tests fail. */
  failing: boolean;
  /** Requirements that are not `met`, with their verdict and the evidence. */
  open: { id: string; verdict: string; evidence: string }[];
}

/** Everything the panel draws, derived from the run's events; plain JSON so `setState` can keep it over reloads. */
export interface ProgressSnapshot {
  state: 'idle' | 'running' | 'finished';
  featureId?: string;
  runId?: string;
  outcome?: RunOutcome;
  /** How the run ended, in words ("Run stopped at its budget"). */
  outcomeText?: string;
  message?: string;
  done: number;
  failed: number;
  total: number;
  phases: PhaseProgress[];
  workers: WorkerProgress[];
  pendingEdits: number;
  usage?: UsageTotals;
  budgetUsd?: number;
  startedAt?: string;
  finishedAt?: string;
  validation?: ValidationProgress;
}

export interface LogEntry {
  at: string;
  level: LogLevel;
  text: string;
}

export type HostToWebview =
  /** The whole picture and the recent log: sent on `ready` and whenever the run changes. */
  { type: 'snapshot'; snapshot: ProgressSnapshot; log: LogEntry[] };

export const WEBVIEW_COMMANDS = ['cancelRun', 'showPendingChanges', 'showLog', 'implement'] as const;
export type WebviewCommand = (typeof WEBVIEW_COMMANDS)[number];

export type WebviewToHost =
  /** The page's script has loaded and listens: send it the current snapshot. */
  | { type: 'ready' }
  /** A button in the panel. */
  | { type: 'command'; command: WebviewCommand };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Narrows a message from the page; undefined for anything that is not exactly one of `WebviewToHost`. */
export function parseWebviewToHost(value: unknown): WebviewToHost | undefined {
  if (!isRecord(value)) return undefined;
  switch (value['type']) {
    case 'ready':
      return Object.keys(value).length === 1 ? { type: 'ready' } : undefined;
    case 'command': {
      const command = value['command'];
      return typeof command === 'string' && (WEBVIEW_COMMANDS as readonly string[]).includes(command)
        ? { type: 'command', command: command as WebviewCommand }
        : undefined;
    }
    default:
      return undefined;
  }
}
