/**
 * The requirements check: the code reviewer judges each requirement, success criterion and user story of
 * spec.md through the `report_requirement` tool, never through free text parsed afterwards. What it does not
 * judge stays `unverified`, with the tasks and files the task list maps to it.
 */
import * as z from 'zod';
import type { RequirementResult } from '../../../protocol/validation-report';
import type { RequirementVerdict } from '../../../protocol/validation-summary';
import { defineTool, toolError, toolOk, type ToolDefinition } from '../../agents/tools/tool';
import type { CoverageItem } from '../facade-types';

/** A verdict the reviewer can give; `unverified` is what nobody gave. */
const judgedVerdicts = ['met', 'partial', 'missing'] as const satisfies readonly RequirementVerdict[];

const reportRequirementInput = z.object({
  id: z.string().describe('the id as spec.md writes it: FR-001, SC-002, US1'),
  verdict: z
    .enum(judgedVerdicts)
    .describe('met: the code does it; partial: some of it is missing; missing: it is not done'),
  evidence: z
    .string()
    .min(1)
    .describe('why: what the code does or lacks, with path:line; for partial and missing, what is left to do'),
  tasks: z.array(z.string()).optional().describe('ids of the tasks that work on it (T004)'),
  files: z.array(z.string()).optional().describe('workspace-relative files that implement it'),
  tests: z.array(z.string()).optional().describe('test files or test names that show it works; empty when none do'),
});

interface Judgement {
  verdict: (typeof judgedVerdicts)[number];
  evidence: string;
  tasks?: string[];
  files?: string[];
  tests: string[];
}

export class RequirementsCheck {
  private readonly byId: ReadonlyMap<string, CoverageItem>;
  private readonly judged = new Map<string, Judgement>();

  /** `items`: the spec's requirements as the task list maps them; `taskId` turns a task key into its id. */
  constructor(
    readonly items: readonly CoverageItem[],
    private readonly taskId: (key: string) => string,
  ) {
    this.byId = new Map(items.map((i) => [i.id.toUpperCase(), i]));
  }

  /** The ids still without a verdict, among `ids` (all when absent). */
  unjudged(ids: readonly string[] = this.items.map((i) => i.id)): string[] {
    return ids.filter((id) => !this.judged.has(id.toUpperCase()));
  }

  /** Forgets the verdicts of `ids`, so a re-check judges them afresh. */
  reopen(ids: readonly string[]): void {
    for (const id of ids) this.judged.delete(id.toUpperCase());
  }

  /** The tool one reviewer reports through; only `ids` (the ones it was asked to judge) are accepted. */
  tool(ids: readonly string[]): ToolDefinition {
    const asked = new Set(ids.map((id) => id.toUpperCase()));
    return defineTool({
      name: 'report_requirement',
      description:
        'Report your verdict on one requirement, success criterion or user story of spec.md, with the evidence. Call it once for every id you were asked to judge (again to correct one), then call complete_task.',
      inputSchema: reportRequirementInput,
      run: async (input) => {
        const key = input.id.trim().toUpperCase();
        const item = this.byId.get(key);
        if (!item || !asked.has(key))
          return toolError(`"${input.id}" is not one of the ids to judge here. Judge these: ${ids.join(', ')}.`);
        this.judged.set(key, {
          verdict: input.verdict,
          evidence: input.evidence.trim(),
          ...(input.tasks !== undefined ? { tasks: input.tasks } : {}),
          ...(input.files !== undefined ? { files: input.files } : {}),
          tests: input.tests ?? [],
        });
        const left = [...asked].filter((id) => !this.judged.has(id));
        return toolOk(
          `Recorded ${item.id}: ${input.verdict}.${left.length > 0 ? ` Still to judge: ${left.map((id) => this.byId.get(id)?.id ?? id).join(', ')}.` : ' Every id is judged.'}`,
        );
      },
    });
  }

  /** Every item once, in spec order: the reviewer's verdict, or `unverified` with `why`. */
  results(why: (item: CoverageItem) => string): RequirementResult[] {
    return this.items.map((item) => {
      const judged = this.judged.get(item.id.toUpperCase());
      const mappedTasks = item.taskKeys.map(this.taskId);
      return {
        id: item.id,
        kind: item.kind,
        text: item.text,
        verdict: judged?.verdict ?? 'unverified',
        tasks: judged?.tasks ?? mappedTasks,
        files: judged?.files ?? item.files,
        tests: judged?.tests ?? [],
        evidence: judged?.evidence ?? why(item),
      };
    });
  }
}

/** The part of the code reviewer's message that asks for verdicts. */
export function requirementsBrief(items: readonly CoverageItem[], taskId: (key: string) => string): string {
  const lines = items.map((item) => {
    const tasks = item.taskKeys.length > 0 ? `tasks ${item.taskKeys.map(taskId).join(', ')}` : 'no task cites it';
    const files = item.files.length > 0 ? `; files ${item.files.join(', ')}` : '';
    return `- ${item.id} (${item.kind.replace('-', ' ')}): ${item.text} — ${tasks}${files}`;
  });
  return [
    '## Requirements to judge',
    'Judge each id below from the code itself (read it; the task list only says where to look) and report it with report_requirement: met when the code does it (name the files and the tests that show it), partial when part of it is missing (say what), missing when it is not done.',
    ...lines,
  ].join('\n');
}
