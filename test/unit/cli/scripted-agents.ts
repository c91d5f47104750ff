/**
 * A mock-server handler that plays every worker of a CLI run the way a well-behaved model would, one tool call
 * a turn: it proposes each file its task names, revises after a rejection (quoting the reviewer's feedback in
 * the new content, so a test can see the feedback reached it), and calls complete_task once its edits were
 * accepted. Reviewers report no findings; the completion reviewer accepts.
 */
import type { MockHandler, MockReply, RecordedRequest } from '../../mock-anthropic';
import { reply } from '../../mock-anthropic';
import { bodyOf, filesNamed, firstUserText, jobOf, lastUserText } from '../engine/run/harness';

/** The task id a worker request is about (`T004`); undefined for validation work. */
export function taskIdOf(request: RecordedRequest): string | undefined {
  return /^# Task (\S+?):/m.exec(firstUserText(request))?.[1];
}

/** The reviewer's feedback when this request hands a rejected edit back to the agent. */
export function feedbackIn(request: RecordedRequest): string | undefined {
  return /Reviewer feedback: (.*)/.exec(lastUserText(request))?.[1];
}

/** What the scripted worker writes for a task's file; tests compare the tree against it. */
export function scriptedContent(taskId: string, path: string, revision = ''): string {
  return `// ${path}: written by the scripted ${taskId} worker${revision === '' ? '' : ` (revised: ${revision})`}\n`;
}

export function scriptedAgents(): MockHandler {
  return answer;
}

function answer(request: RecordedRequest): MockReply {
  const messages = bodyOf(request).messages ?? [];
  const taskId = taskIdOf(request);
  if (taskId === undefined) {
    const job = jobOf(request) ?? 'validation';
    if (job.startsWith('completion review'))
      return reply.tools([{ name: 'judge_completion', input: { verdict: 'accept', reason: 'the evidence shows it' } }]);
    const reported = messages.length > 1;
    if (!reported && (job === 'code review' || job === 'security review'))
      return reply.tools([{ name: 'report_findings', input: { findings: [] } }]);
    return reply.tools([{ name: 'complete_task', input: { summary: `${job}: nothing to report`, files_touched: [] } }]);
  }
  const files = filesNamed(request).filter((f) => !f.endsWith('/'));
  const resultsSoFar = messages.filter((m) => m.role === 'user').map((m) => JSON.stringify(m.content));
  const accepted = resultsSoFar.filter((text) => text.includes('Accepted')).length;
  const next = files[accepted];
  if (next !== undefined) {
    const exists = firstUserText(request).includes(`### ${next} (current content)`);
    const input = {
      kind: exists ? 'write' : 'create',
      path: next,
      content: scriptedContent(taskId, next, feedbackIn(request) ?? ''),
      reason: `${taskId} needs ${next}`,
    };
    return reply.tools([{ name: 'propose_edit', input }]);
  }
  return reply.tools([{ name: 'complete_task', input: { summary: `${taskId} done`, files_touched: files } }]);
}
