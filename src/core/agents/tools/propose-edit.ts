import * as z from 'zod';
import { assertNever } from '../../util/assert-never';
import type { EditRequest, GateOutcome } from '../../ports/edit-gate';
import { defineTool, toolError, toolOk } from './tool';
import type { ToolResult } from './tool';

const inputSchema = z
  .object({
    kind: z
      .enum(['replace', 'write', 'create', 'delete'])
      .describe('replace: exact-match string replacement; write: whole file; create: new file; delete'),
    path: z.string(),
    old_string: z
      .string()
      .optional()
      .describe('replace only: the exact text to replace; must occur exactly once in the file'),
    new_string: z.string().optional().describe('replace only: the replacement text'),
    content: z.string().optional().describe('write and create: the whole new file content'),
    reason: z.string().optional().describe('one sentence for the reviewer: why this change'),
  })
  .superRefine((value, ctx) => {
    const need = (field: 'old_string' | 'new_string' | 'content'): void => {
      if (value[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} is required for kind "${value.kind}"` });
    };
    if (value.kind === 'replace') {
      need('old_string');
      need('new_string');
    } else if (value.kind === 'write' || value.kind === 'create') {
      need('content');
    }
  });

type Input = z.infer<typeof inputSchema>;

function toEditRequest(input: Input): EditRequest {
  switch (input.kind) {
    case 'replace':
      return {
        kind: 'replace',
        path: input.path,
        oldString: input.old_string ?? '',
        newString: input.new_string ?? '',
      };
    case 'write':
    case 'create':
      return { kind: input.kind, path: input.path, content: input.content ?? '' };
    case 'delete':
      return { kind: 'delete', path: input.path };
  }
}

export const proposeEditTool = defineTool({
  name: 'propose_edit',
  description:
    'Propose a change to one file. Nothing is written until it is approved; the result says whether it was applied, applied with the reviewer\'s own edits (with the difference), rejected (with feedback to act on) or refused. Prefer kind "replace" with an old_string copied exactly from read_file output (enough lines to be unique). Use "create" for new files, "write" to replace a whole file, "delete" to remove one.',
  inputSchema,
  async run(input, context) {
    const outcome = await context.proposeEdit(toEditRequest(input), input.reason, context.signal);
    return describeGateOutcome(outcome);
  },
});

/** The tool result an agent gets for a gate outcome: what happened, and what to do next when it failed. */
export function describeGateOutcome(outcome: GateOutcome): ToolResult {
  switch (outcome.kind) {
    case 'applied': {
      const p = outcome.proposal;
      const verb = p.kind === 'create' ? 'Created' : p.kind === 'delete' ? 'Deleted' : 'Updated';
      if (outcome.userEditsDiff === undefined) return toolOk(`Accepted: ${verb} ${p.path}.`);
      return toolOk(
        `Accepted with the reviewer's own edits: ${p.path} now differs from your proposal as shown below (your version → what was written). Build on what was written.\n${outcome.userEditsDiff}`,
      );
    }
    case 'rejected':
      return toolError(`Rejected: ${outcome.proposal.path} was not changed. Reviewer feedback: ${outcome.feedback}`);
    case 'refused':
      return toolError(`Refused: ${outcome.reason}`);
    case 'invalid':
      return toolError(`Not applied: ${outcome.message}`);
    case 'stale':
      return toolError(`Not applied: ${outcome.message}`);
    case 'needs-approval':
      return toolError(
        `Not applied: ${outcome.proposal.path} needs a reviewer's approval and nobody can give it in this run.`,
      );
    case 'cancelled':
      return toolError(`Not applied: the run was cancelled.`);
    default:
      return assertNever(outcome);
  }
}
