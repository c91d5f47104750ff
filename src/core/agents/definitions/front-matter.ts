import { parse } from 'yaml';

export type FrontMatterResult = { ok: true; data: unknown; body: string } | { ok: false; message: string };

/**
 * Splits a Markdown file into YAML front matter (between `---` lines at the very top) and body. No front
 * matter → `data` is an empty object and the whole text is the body.
 */
export function splitFrontMatter(text: string): FrontMatterResult {
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  if (!normalised.startsWith('---\n')) return { ok: true, data: {}, body: normalised };
  const end = normalised.indexOf('\n---', 3);
  if (end === -1) return { ok: false, message: 'the front matter starts with "---" but has no closing "---" line' };
  const after = normalised.indexOf('\n', end + 4);
  const yamlText = normalised.slice(4, end + 1);
  const body = after === -1 ? '' : normalised.slice(after + 1);
  try {
    const data: unknown = parse(yamlText);
    return { ok: true, data: data ?? {}, body };
  } catch (error) {
    return {
      ok: false,
      message: `the front matter is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    };
  }
}
