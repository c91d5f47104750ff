import { createTwoFilesPatch } from 'diff';
import type { Approver, Confirm, ConfirmRequest, ProposalContent, ProposalDecision } from '../core/engine';
import type { TerminalInput } from './cli-io';
import type { TextStyle } from './render-tasks-text';

/** Where questions are shown; the live progress block steps aside while one is on screen. */
export interface QuestionDeps {
  out: { write(s: string): unknown };
  style: TextStyle;
  /** Called before a question is shown and after it was answered (the renderer's suspend/resume). */
  pause?: () => void;
  resume?: () => void;
}

/** Most diff lines shown for one edit; the rest is summarised (a whole-file rewrite can be long). */
const MAX_DIFF_LINES = 400;

/**
 * Questions reach one person at one terminal: they are asked one at a time, in the order they came, while
 * other workers go on. Each question's failure is its own; the queue goes on.
 */
class QuestionQueue {
  private tail: Promise<unknown> = Promise.resolve();

  enqueue<T>(ask: () => Promise<T>): Promise<T> {
    const next = this.tail.then(ask, ask);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** A proposal as a coloured unified diff (`diff` package), cut to a readable length. */
export function renderProposalDiff(proposal: ProposalContent, style: TextStyle): string {
  const before = proposal.base === undefined ? '/dev/null' : `a/${proposal.path}`;
  const after = proposal.proposed === undefined ? '/dev/null' : `b/${proposal.path}`;
  const patch = createTwoFilesPatch(before, after, proposal.base ?? '', proposal.proposed ?? '', undefined, undefined, {
    context: 3,
  });
  // The first line of createTwoFilesPatch is a row of '=' under an `Index:`-less header: drop it.
  const lines = patch.split('\n').filter((l, i) => !(i === 0 && /^=+$/.test(l)));
  if (lines.at(-1) === '') lines.pop();
  const shown = lines.slice(0, MAX_DIFF_LINES).map((l) => {
    if (l.startsWith('+++') || l.startsWith('---')) return style.heading(l);
    if (l.startsWith('@@')) return style.accent(l);
    if (l.startsWith('+')) return style.done(l);
    if (l.startsWith('-')) return style.warn(l);
    return l;
  });
  if (lines.length > MAX_DIFF_LINES)
    shown.push(style.dim(`… ${lines.length - MAX_DIFF_LINES} more diff lines not shown`));
  return shown.join('\n');
}

/** The `ask` policy on a TTY: each edit no policy decided is shown as a diff to accept, or reject with feedback. */
export function terminalApprover(terminal: TerminalInput, deps: QuestionDeps): Approver {
  const queue = new QuestionQueue();
  return (proposal, signal) => queue.enqueue(() => askAboutProposal(terminal, deps, proposal, signal));
}

async function askAboutProposal(
  terminal: TerminalInput,
  deps: QuestionDeps,
  proposal: ProposalContent,
  signal: AbortSignal,
): Promise<ProposalDecision> {
  if (signal.aborted) return { kind: 'reject', feedback: 'The run was cancelled before the edit was reviewed.' };
  const { out, style } = deps;
  deps.pause?.();
  try {
    out.write(
      `\n${style.heading(`${proposal.taskKey} ${proposal.role} proposes to ${proposal.kind} ${proposal.path}`)}\n`,
    );
    if (proposal.reason !== undefined) out.write(`${style.dim(`reason: ${proposal.reason}`)}\n`);
    out.write(`${renderProposalDiff(proposal, style)}\n`);
    // A deletion has no text to edit.
    const editable = terminal.edit !== undefined && proposal.proposed !== undefined;
    const choices = `[y]es / [n]o, with feedback${editable ? ' / [e]dit it first' : ''}`;
    for (;;) {
      const answer = await terminal.question(`Apply this edit to ${proposal.path}? ${choices}: `, signal);
      if (answer === undefined)
        return {
          kind: 'reject',
          feedback: 'The reviewer gave no answer (the terminal closed); the edit was not applied.',
        };
      const word = answer.trim().toLowerCase();
      if (word === 'y' || word === 'yes') return { kind: 'accept' };
      if (editable && (word === 'e' || word === 'edit') && terminal.edit && proposal.proposed !== undefined) {
        const edited = await terminal.edit(proposal.proposed, proposal.path, signal);
        if (edited === undefined) {
          out.write('The editor did not save a version; the proposal is unchanged.\n');
          continue;
        }
        if (edited === proposal.proposed) return { kind: 'accept' };
        out.write(`${renderProposalDiff({ ...proposal, proposed: edited }, style)}\n`);
        return { kind: 'accept-with-edits', content: edited };
      }
      if (word === 'n' || word === 'no') {
        const feedback = await terminal.question('What should change? (sent to the agent): ', signal);
        const text = feedback?.trim() ?? '';
        return { kind: 'reject', feedback: text === '' ? 'The reviewer rejected this edit without a comment.' : text };
      }
      out.write('Please answer y or n.\n');
    }
  } finally {
    deps.resume?.();
  }
}

export interface ConfirmDeps extends QuestionDeps {
  /** Absent without a TTY. */
  terminal: TerminalInput | undefined;
  /** `--yes`: every confirmation is answered yes without asking. */
  yes: boolean;
  /** A required confirmation nobody could give (no terminal, no `--yes`): the command ends with exit 3. */
  onUnanswered(request: ConfirmRequest): void;
}

/** Hooks, checklists, the fallback plan, commands and rollback conflicts: asked on a TTY, else `--yes` or refused. */
export function terminalConfirm(deps: ConfirmDeps): Confirm {
  const queue = new QuestionQueue();
  return (request, signal) =>
    queue.enqueue(async () => {
      const { out, style } = deps;
      // A command whose defining file the run changed runs what a model wrote: only a person's answer on the
      // spot (or --allow-changed-commands, which the engine applies before asking) lets it run.
      if (deps.yes && request.kind !== 'changed-command') {
        // A plan is what will run: unattended (CI) it is still shown, so the log says what was approved.
        if (request.kind === 'plan') out.write(`\n${style.heading(request.title)}\n${request.detail.trimEnd()}\n`);
        out.write(`${style.dim(`yes (--yes): ${request.title}`)}\n`);
        return true;
      }
      const terminal = deps.terminal;
      if (terminal === undefined) {
        if (request.required) deps.onUnanswered(request);
        else
          out.write(
            `${style.dim(`skipped without a terminal to ask (${request.kind === 'changed-command' ? '--allow-changed-commands' : '--yes'} runs it): ${request.title}`)}\n`,
          );
        return false;
      }
      deps.pause?.();
      try {
        out.write(`\n${style.heading(request.title)}\n`);
        if (request.detail.trim() !== '') out.write(`${request.detail.trimEnd()}\n`);
        for (;;) {
          const answer = await terminal.question(`${request.required ? 'Continue' : 'Go ahead'}? [y/n]: `, signal);
          if (answer === undefined) {
            if (request.required) deps.onUnanswered(request);
            return false;
          }
          const word = answer.trim().toLowerCase();
          if (word === 'y' || word === 'yes') return true;
          if (word === 'n' || word === 'no') return false;
          out.write('Please answer y or n.\n');
        }
      } finally {
        deps.resume?.();
      }
    });
}
