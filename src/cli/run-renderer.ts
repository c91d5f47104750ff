import stringWidth from 'string-width';
import { emptyRunView, foldRunView, type EngineEvent, type RunView } from '../protocol/engine-events';
import { commandLine } from '../protocol/run-wording';
import { describeEvent, describePhaseChange, formatUsage } from './event-lines';
import type { TextStyle } from './render-tasks-text';

export interface RunRendererOptions {
  out: { write(s: string): unknown };
  /**
   * True on a TTY: a live block (phase bars, active workers, tokens and cost) is redrawn in place and only
   * notable events are printed above it. False (logs, pipes, CI): one plain line per event, no control codes.
   */
  live: boolean;
  style: TextStyle;
  /** Terminal width, read at each redraw (the window may be resized); live lines are cut to it so a wrapped line never breaks the redraw. */
  columns?: () => number | undefined;
  /** Least time between two redraws of the live block. */
  redrawIntervalMs?: number;
}

const ESC = '\u001b[';
const BAR_WIDTH = 20;

/**
 * The CLI's face on a run. Its whole picture of the run is `foldRunView` over the engine's events: the terminal
 * never keeps its own copy of task state.
 */
export class RunRenderer {
  readonly view: RunView = emptyRunView();
  private liveHeight = 0;
  private suspended = false;
  private timer: NodeJS.Timeout | undefined;
  private lastRedraw = 0;
  private closed = false;
  private readonly held: string[] = [];

  constructor(private readonly options: RunRendererOptions) {}

  handle(event: EngineEvent): void {
    // Described before folding: a finishing worker or a decided proposal is still in the view to be named.
    const line = describeEvent(event, this.view, this.options.style);
    const phaseLine = describePhaseChange(event, this.view, this.options.style);
    foldRunView(this.view, event);
    if (this.closed) return;
    // A phase starts before its first task's line, and finishes after its last one's.
    const lines = event.type === 'task-status' && event.status === 'running' ? [phaseLine, line] : [line, phaseLine];
    if (!this.options.live) {
      for (const l of lines) if (l) this.options.out.write(`${timeOf(event.at)} ${l.text}\n`);
      return;
    }
    for (const l of lines) if (l?.notable) this.printAbove(l.text);
    this.scheduleRedraw();
  }

  /** Prints a line that stays (above the live block on a TTY). */
  note(text: string): void {
    if (this.options.live) this.printAbove(text);
    else this.options.out.write(`${text}\n`);
  }

  /** True while a question has the terminal (between `suspend` and `resume`). */
  get asking(): boolean {
    return this.suspended;
  }

  /** Clears the live block and stops redrawing, so a question can use the terminal. */
  suspend(): void {
    this.suspended = true;
    this.clearLive();
  }

  resume(): void {
    this.suspended = false;
    const held = this.held.splice(0);
    if (held.length > 0) this.options.out.write(`${held.join('\n')}\n`);
    this.scheduleRedraw();
  }

  /** Draws the final state once (on a TTY) and stops. */
  close(): void {
    if (this.closed) return;
    if (this.suspended) this.resume();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.options.live) this.redraw();
    this.closed = true;
  }

  /** The live block's lines, without control codes (exported for tests through the renderer). */
  liveLines(): string[] {
    const { style } = this.options;
    const view = this.view;
    const lines: string[] = [];
    const tasks = [...view.tasks.values()];
    const done = tasks.filter((t) => t.status === 'done').length;
    lines.push(
      style.heading(
        `${view.featureId ?? 'run'}${view.runId !== undefined ? ` · run ${view.runId}` : ''} · ${done}/${tasks.length} tasks done`,
      ),
    );
    const titleWidth = Math.min(28, Math.max(0, ...view.phases.map((p) => p.title.length)));
    for (const phase of view.phases) {
      const own = phase.taskKeys.map((k) => view.tasks.get(k)).filter((t) => t !== undefined);
      const finished = own.filter((t) => t.status === 'done').length;
      const failed = own.filter((t) => t.status === 'failed').length;
      const filled = own.length === 0 ? BAR_WIDTH : Math.round((finished / own.length) * BAR_WIDTH);
      const bar = `${style.done('█'.repeat(filled))}${style.dim('░'.repeat(BAR_WIDTH - filled))}`;
      const extra = failed > 0 ? ` ${style.warn(`${failed} failed`)}` : '';
      lines.push(`  ${phase.title.slice(0, titleWidth).padEnd(titleWidth)} ${bar} ${finished}/${own.length}${extra}`);
    }
    const workers = [...view.workers.values()];
    if (workers.length > 0) {
      lines.push(`  workers (${workers.length}):`);
      for (const w of workers)
        lines.push(
          `    ${view.tasks.get(w.taskKey)?.id ?? w.taskKey} ${style.accent(w.role)}${w.commands.length > 0 ? ` ${commandLine(w.commands)}` : ''} ${style.dim(w.model)}  ${w.activity}`,
        );
    }
    if (view.pending.size > 0)
      lines.push(style.warn(`  ${view.pending.size} edit${view.pending.size === 1 ? '' : 's'} waiting for approval`));
    if (view.usage) lines.push(`  ${formatUsage(view.usage, view.budgetUsd)}`);
    return lines;
  }

  private printAbove(text: string): void {
    // A question is on screen: its lines wait until it was answered.
    if (this.suspended) {
      this.held.push(text);
      return;
    }
    this.clearLive();
    this.options.out.write(`${text}\n`);
    this.scheduleRedraw();
  }

  private scheduleRedraw(): void {
    if (!this.options.live || this.suspended || this.closed || this.timer) return;
    const interval = this.options.redrawIntervalMs ?? 80;
    const wait = Math.max(0, this.lastRedraw + interval - performance.now());
    if (wait === 0) {
      this.redraw();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.suspended && !this.closed) this.redraw();
    }, wait);
    // A pending redraw must not keep the process alive after the run.
    this.timer.unref();
  }

  private redraw(): void {
    this.clearLive();
    const columns = this.options.columns?.();
    const width = columns !== undefined && columns > 10 ? columns - 1 : undefined;
    const lines = this.liveLines().map((l) => (width !== undefined ? cutVisible(l, width) : l));
    this.options.out.write(`${lines.join('\n')}\n`);
    this.liveHeight = lines.length;
    this.lastRedraw = performance.now();
  }

  private clearLive(): void {
    if (this.liveHeight === 0) return;
    // Up to the block's first line, column 0, then erase to the end of the screen.
    this.options.out.write(`${ESC}${this.liveHeight}F${ESC}J`);
    this.liveHeight = 0;
  }
}

/** `11:22:30` from an ISO time: enough to read a log's pace. */
function timeOf(iso: string): string {
  const match = /T(\d\d:\d\d:\d\d)/.exec(iso);
  return match?.[1] ?? iso;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
// eslint-disable-next-line no-control-regex -- a colour code starts with ESC by definition
const SGR = /\u001b\[[0-9;]*m/y;

/**
 * Cuts a line to `width` terminal columns, keeping SGR colour codes intact. Columns, not characters: a CJK
 * character or an emoji takes two, a combining mark none, and a character is never split from its marks.
 */
export function cutVisible(line: string, width: number): string {
  let used = 0;
  let full = false;
  let out = '';
  let i = 0;
  while (i < line.length) {
    SGR.lastIndex = i;
    const colour = SGR.exec(line);
    if (colour) {
      out += colour[0];
      i = SGR.lastIndex;
      continue;
    }
    const next = line.indexOf('\u001b', i + 1);
    // An ESC that starts no colour code is not the terminal's to see: it is dropped, the rest read as text.
    const start = line[i] === '\u001b' ? i + 1 : i;
    const text = line.slice(start, next === -1 ? line.length : next);
    for (const { segment } of graphemes.segment(text)) {
      const columns = stringWidth(segment);
      full ||= used + columns > width;
      if (full) break;
      out += segment;
      used += columns;
    }
    i = start + text.length;
  }
  return out;
}
