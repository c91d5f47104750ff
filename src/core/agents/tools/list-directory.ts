import * as z from 'zod';
import { describeUnreadable } from './describe';
import { defineTool, toolError, toolOk } from './tool';

export const listDirectoryTool = defineTool({
  name: 'list_directory',
  description:
    'List a folder of the workspace (default: the workspace folder). Folders end with "/". With recursive, walks sub-folders breadth first. Entries ignored by .gitignore, .git and secret files are left out. The list is bounded; narrow the path when it is cut.',
  inputSchema: z.object({
    path: z.string().default('.').describe('Workspace-relative folder, "." for the workspace folder'),
    recursive: z.boolean().default(false),
    max_entries: z.number().int().min(1).max(1000).default(200),
  }),
  async run(input, context) {
    const listed = await context.workspace.list(
      input.path,
      { recursive: input.recursive, maxEntries: input.max_entries },
      context.signal,
    );
    if (listed.kind !== 'listed') return toolError(describeUnreadable(listed, input.path));
    const lines = listed.entries.map((e) => (e.type === 'directory' ? `${e.path}/` : e.path));
    const title = listed.rel === '' ? '(workspace folder)' : `${listed.rel}/`;
    if (lines.length === 0) return toolOk(`${title} is empty.`);
    const note = listed.truncated
      ? `\n[truncated after ${lines.length} entries: list a sub-folder or raise max_entries]`
      : '';
    return toolOk(`${title}\n${lines.join('\n')}${note}`);
  },
});
