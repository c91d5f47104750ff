import * as z from 'zod';
import { defineTool, toolError, toolOk } from './tool';
import { describeUnreadable } from './describe';

const MAX_LINES = 2000;
const MAX_CHARS = 100_000;

export const readFileTool = defineTool({
  name: 'read_file',
  description:
    'Read a text file of the workspace. Paths are relative to the workspace folder. Optionally give start_line and end_line (1-based, inclusive) to read part of a large file. Long files are cut with a note saying how to read the rest.',
  inputSchema: z.object({
    path: z.string().describe('Workspace-relative path, e.g. src/app.ts'),
    start_line: z.number().int().min(1).optional(),
    end_line: z.number().int().min(1).optional(),
  }),
  async run(input, context) {
    const read = await context.workspace.read(input.path, context.signal);
    if (read.kind !== 'text') return toolError(describeUnreadable(read, input.path));
    const lines = read.text.split('\n');
    const total = lines.length;
    const start = input.start_line ?? 1;
    if (start > total) return toolError(`${read.rel} has ${total} lines; start_line ${start} is past the end.`);
    const last = Math.min(input.end_line ?? total, total);
    const shown: string[] = [];
    let chars = 0;
    let end = start - 1;
    for (let n = start; n <= last && shown.length < MAX_LINES; n++) {
      const line = lines[n - 1] ?? '';
      if (chars + line.length > MAX_CHARS && shown.length > 0) break;
      shown.push(line);
      chars += line.length + 1;
      end = n;
    }
    const body = shown.join('\n');
    const partial = start !== 1 || end !== total;
    const header = partial ? `${read.rel} (lines ${start}-${end} of ${total})` : `${read.rel} (${total} lines)`;
    const note = end < last ? `\n[truncated: read on with start_line ${end + 1}]` : '';
    return toolOk(`${header}\n${body}${note}`);
  },
});
