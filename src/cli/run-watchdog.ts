/**
 * The CLI's watchdog over a run. Every wait in the engine has its own deadline (a model call: the request
 * timeout until the response begins, the stream-idle timeout after; a rate-limit pause: the server's
 * `retry-after`, capped), so a run that goes quiet for longer than the longest of them together is stuck, not
 * slow. While it is quiet the watchdog says what the run is waiting for; when it is stuck (and nobody is being
 * asked a question) it stops the run, which stays resumable. Its timer never keeps the process alive: a run
 * whose every wait was lost drains the event loop, and the process's `beforeExit` guard reports that instead.
 */
import type { RunView } from '../protocol/engine-events';
import { systemMonotonicClock, whenDue, type MonotonicClock } from '../core/engine/light';

export interface RunWatchdogOptions {
  /** The run as the face sees it (the renderer's fold of its events). */
  view: () => RunView;
  /** True while a person is being asked something (an edit, a hook, a command): such a wait has no deadline. */
  askingPerson: () => boolean;
  /** Quiet this long (no event): say what the run waits for, and again every such interval. */
  quietMs: number;
  /** Quiet this long with nobody being asked: the run is stuck. */
  stuckMs: number;
  onQuiet(lines: string[]): void;
  onStuck(lines: string[]): void;
  clock?: MonotonicClock;
}

export class RunWatchdog {
  private readonly clock: MonotonicClock;
  private lastEventAt: number;
  private cancelCheck: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly options: RunWatchdogOptions) {
    this.clock = options.clock ?? systemMonotonicClock;
    this.lastEventAt = this.clock.now();
    this.armAt(this.lastEventAt + options.quietMs);
  }

  /** Something happened: the run is alive. */
  touch(): void {
    this.lastEventAt = this.clock.now();
  }

  stop(): void {
    this.stopped = true;
    this.cancelCheck?.();
    this.cancelCheck = undefined;
  }

  /** One line per thing the run is waiting for, for a report now. */
  waitingFor(): string[] {
    return describeWaits(this.options.view(), this.clock.now() - this.lastEventAt);
  }

  private armAt(dueAt: number): void {
    if (this.stopped) return;
    this.cancelCheck = whenDue(this.clock, dueAt, () => this.check(), { keepAlive: false });
  }

  private check(): void {
    this.cancelCheck = undefined;
    if (this.stopped) return;
    const now = this.clock.now();
    const quietFor = now - this.lastEventAt;
    if (quietFor < this.options.quietMs) {
      this.armAt(this.lastEventAt + this.options.quietMs);
      return;
    }
    if (this.options.askingPerson()) this.lastEventAt = now;
    else if (quietFor >= this.options.stuckMs) {
      this.stopped = true;
      this.options.onStuck(this.waitingFor());
      return;
    }
    this.options.onQuiet(this.waitingFor());
    this.armAt(now + this.options.quietMs);
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/** What a run is waiting for, from its view alone: each worker's activity, each edit awaiting a decision. */
export function describeWaits(view: RunView, quietForMs: number): string[] {
  const lines: string[] = [];
  for (const worker of view.workers.values()) {
    const task = view.tasks.get(worker.taskKey);
    lines.push(`${task?.id ?? worker.taskKey} ${worker.role}: ${worker.activity}`);
  }
  for (const proposal of view.pending.values()) {
    const task = view.tasks.get(proposal.taskKey);
    lines.push(`${task?.id ?? proposal.taskKey}: an edit of ${proposal.path} awaits a decision`);
  }
  const open = [...view.tasks.values()].filter((t) => t.status !== 'done' && t.status !== 'skipped');
  if (lines.length === 0) lines.push('no worker is active and no edit awaits a decision');
  lines.push(
    `${open.length} task${open.length === 1 ? '' : 's'} not done${
      open.length > 0
        ? ` (${open
            .map((t) => t.id)
            .slice(0, 8)
            .join(', ')}${open.length > 8 ? ', …' : ''})`
        : ''
    }; nothing happened for ${seconds(quietForMs)}`,
  );
  return lines;
}
