/**
 * What one worker is told, within a token budget, laid out for the prompt cache:
 *
 *   system[0]  the role prompt                      (byte-identical for every worker of the role)
 *   system[1]  the feature context: constitution,   (byte-identical for every worker of the run: breakpoint)
 *              spec and plan, each clipped
 *   user       the task, its phase, the spec lines it cites, and the files it names (volatile)
 *
 * Never the whole repository: only files the task names (read through the Workspace port, so the path policy
 * applies) and the documents above. A worker that needs more uses read_file / search_text.
 */
import { estimateTokens, CHARS_PER_TOKEN } from '../../llm/token-estimate';
import type { LlmSystemBlock } from '../../llm/provider';

export interface FeatureDocumentsText {
  featureId: string;
  constitution?: string;
  spec?: string;
  plan?: string;
  /** The user's focus for the run, when one was given. */
  focus?: string;
}

export interface TaskBrief {
  key: string;
  id: string;
  description: string;
  details: readonly string[];
  files: readonly string[];
  story?: string;
  phaseTitle: string;
  phasePurpose?: string;
  /** Why the scheduler picked this role, so the worker knows what is expected of it. */
  roleReason: string;
}

export interface ContextBudget {
  /** Tokens for the feature context (constitution + spec + plan) in the system prompt. */
  featureTokens: number;
  /** Tokens for the files the task names, all together. */
  fileTokens: number;
  /** Tokens for any one file. */
  perFileTokens: number;
}

export const defaultContextBudget: ContextBudget = { featureTokens: 12_000, fileTokens: 16_000, perFileTokens: 6_000 };

/** Reads a workspace file for the context; `undefined` when it does not exist yet; a string reason when refused. */
export type ContextFileReader = (
  rel: string,
) => Promise<{ kind: 'text'; text: string } | { kind: 'missing' } | { kind: 'unavailable'; reason: string }>;

export function clip(text: string, tokens: number, what: string): string {
  const limit = tokens * CHARS_PER_TOKEN;
  if (text.length <= limit) return text;
  const head = text.slice(0, Math.floor(limit * 0.8));
  const tail = text.slice(text.length - Math.floor(limit * 0.15));
  return `${head}\n\n[… ${what} clipped: ${text.length - head.length - tail.length} characters left out; read the file for the rest …]\n\n${tail}`;
}

/** The feature's shared context: the same bytes for every worker of a run, so the prompt cache serves it. */
export function featureContextBlock(
  docs: FeatureDocumentsText,
  budget: ContextBudget = defaultContextBudget,
): LlmSystemBlock {
  const parts: string[] = [`# Feature ${docs.featureId}`];
  if (docs.focus !== undefined)
    parts.push(
      `## The user's focus for this run\n\n${clip(docs.focus, Math.floor(budget.featureTokens * 0.1), 'Focus')}\n\nKeep it in mind in your part of the work; it does not widen your task.`,
    );
  const shares: [string, string | undefined, number][] = [
    ['Constitution (project principles — they override everything else)', docs.constitution, 0.2],
    ['Specification (spec.md)', docs.spec, 0.45],
    ['Implementation plan (plan.md)', docs.plan, 0.35],
  ];
  for (const [title, text, share] of shares) {
    if (text === undefined || text.trim() === '') continue;
    parts.push(`## ${title}\n\n${clip(text.trim(), Math.floor(budget.featureTokens * share), title)}`);
  }
  return { text: parts.join('\n\n'), cacheBreakpoint: true };
}

/** The spec lines the task cites by FR/SC id or story label, so the worker reads its requirements first. */
export function citedSpecLines(
  task: Pick<TaskBrief, 'description' | 'details' | 'story'>,
  spec: string | undefined,
): string[] {
  if (spec === undefined) return [];
  const text = [task.description, ...task.details].join('\n');
  const ids = new Set(text.match(/\b(?:FR|SC|NFR)-\d+[a-z]?\b/gi)?.map((s) => s.toUpperCase()) ?? []);
  const storyNumber = task.story?.replace(/^US/i, '');
  const lines: string[] = [];
  for (const line of spec.split(/\r?\n/)) {
    const lineIds = line.match(/\b(?:FR|SC|NFR)-\d+[a-z]?\b/gi)?.map((s) => s.toUpperCase()) ?? [];
    if (lineIds.some((id) => ids.has(id))) lines.push(line.trim());
    else if (
      storyNumber !== undefined &&
      new RegExp(`^#{2,6}\\s+\\**\\s*(?:User\\s+Story|Story|US)\\s*${storyNumber}\\b`, 'i').test(line)
    )
      lines.push(line.trim());
  }
  return lines;
}

/** The opening user message: the task and the files it names, within the file budget. */
export async function taskMessage(
  task: TaskBrief,
  spec: string | undefined,
  readFile: ContextFileReader,
  budget: ContextBudget = defaultContextBudget,
): Promise<string> {
  const out: string[] = [];
  out.push(`# Task ${task.id}: ${task.description}`);
  if (task.details.length > 0) out.push(task.details.map((d) => `- ${d}`).join('\n'));
  out.push(`Phase: ${task.phaseTitle}${task.phasePurpose ? ` — ${task.phasePurpose}` : ''}`);
  out.push(`You were chosen for this task because: ${task.roleReason}.`);
  const cited = citedSpecLines(task, spec);
  if (cited.length > 0) out.push(`## Requirements this task cites\n${cited.join('\n')}`);

  if (task.files.length > 0) {
    out.push(`## Files the task names\n${task.files.map((f) => `- ${f}`).join('\n')}`);
    let left = budget.fileTokens;
    for (const file of task.files) {
      if (file.endsWith('/')) continue;
      const read = await readFile(file);
      switch (read.kind) {
        case 'missing':
          out.push(`### ${file}\n(does not exist yet: create it)`);
          break;
        case 'unavailable':
          out.push(`### ${file}\n(not readable: ${read.reason})`);
          break;
        case 'text': {
          const allowed = Math.min(budget.perFileTokens, left);
          if (allowed <= 0) {
            out.push(`### ${file}\n(exists; not included to stay within the context budget — use read_file)`);
            break;
          }
          const body = clip(read.text, allowed, file);
          left -= estimateTokens(body);
          out.push(`### ${file} (current content)\n\`\`\`\n${body}\n\`\`\``);
          break;
        }
        default: {
          const never: never = read;
          throw new Error(`unexpected read ${JSON.stringify(never)}`);
        }
      }
    }
  }
  out.push(
    'Work only on this task. Propose every change with propose_edit (one file per call); nothing is written until it is approved. ' +
      'When the task is done, call complete_task with a short summary and the files you touched.',
  );
  return out.join('\n\n');
}
