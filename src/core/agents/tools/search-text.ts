import * as z from 'zod';
import { describeUnreadable } from './describe';
import { defineTool, toolError, toolOk } from './tool';

export const searchTextTool = defineTool({
  name: 'search_text',
  description:
    'Search the text files of the workspace for a literal string (default) or a regular expression (regex: true; RE2 syntax, which is JavaScript\'s without look-around and back-references), line by line. Respects .gitignore; skips binary and very large files; a search of a very large tree stops early and says so. Optionally limit to a folder (path) and to files matching a glob (e.g. "*.ts", "src/**/*.test.ts"). Returns path:line: text.',
  inputSchema: z.object({
    pattern: z.string().min(1),
    regex: z.boolean().default(false),
    case_sensitive: z.boolean().default(true),
    glob: z.string().optional(),
    path: z.string().default('.'),
    max_results: z.number().int().min(1).max(500).default(100),
  }),
  async run(input, context) {
    const found = await context.workspace.search(
      {
        pattern: input.pattern,
        regex: input.regex,
        caseSensitive: input.case_sensitive,
        under: input.path,
        maxResults: input.max_results,
        ...(input.glob !== undefined ? { glob: input.glob } : {}),
      },
      context.signal,
    );
    if (found.kind !== 'matches') return toolError(describeUnreadable(found, input.path));
    if (found.matches.length === 0) return toolOk(`No matches (${found.filesSearched} files searched).`);
    const lines = found.matches.map((m) => `${m.path}:${m.line}: ${m.text}`);
    const note = found.truncated
      ? `\n[stopped after ${found.matches.length} matches: narrow the pattern, path or glob]`
      : '';
    return toolOk(`${lines.join('\n')}${note}`);
  },
});
