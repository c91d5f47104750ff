import * as z from 'zod';
import { defineTool } from './tool';

export const completeTaskTool = defineTool({
  name: 'complete_task',
  description:
    'Call once when your task is finished: a short summary of what you did and the workspace-relative paths of the files you changed. The engine checks the files on disk before it marks the task done; do not call it before your edits were accepted.',
  inputSchema: z.object({
    summary: z.string().min(1),
    files_touched: z.array(z.string()),
  }),
  async run(input) {
    return {
      content: 'Completion recorded; the engine will check your changes on disk.',
      isError: false,
      completion: { summary: input.summary, filesTouched: input.files_touched },
    };
  },
});
