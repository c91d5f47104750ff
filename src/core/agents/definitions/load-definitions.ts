import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { defaultWriteScopes } from './write-scope';
import { isMissing } from '../../util/fs-errors';
import { isToolName } from '../tools/builtin-tools';
import type { ToolName } from '../tools/builtin-tools';
import type { AgentDefinition, CommandDefinition, DefinitionDiagnostic, ModelTier } from './agent-definition';
import { builtInAgents } from './built-in-agents';
import { builtInCommands } from './built-in-commands';
import { splitFrontMatter } from './front-matter';

export interface LoadedDefinitions {
  agents: Map<string, AgentDefinition>;
  commands: Map<string, CommandDefinition>;
  diagnostics: DefinitionDiagnostic[];
}

const toolList = z.union([z.string(), z.array(z.string())]);

const agentFrontMatter = z.looseObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes')
    .optional(),
  description: z.string().optional(),
  tools: toolList.optional(),
  model: z.string().optional(),
});

const commandFrontMatter = z.looseObject({
  description: z.string().optional(),
  'argument-hint': z.string().optional(),
  'allowed-tools': toolList.optional(),
});

/**
 * Tool names as project files often write them (the common agent-file vocabulary) mapped to ours; our own
 * names are accepted as they are.
 */
const TOOL_ALIASES: Readonly<Record<string, ToolName>> = {
  read: 'read_file',
  grep: 'search_text',
  glob: 'list_directory',
  ls: 'list_directory',
  edit: 'propose_edit',
  multiedit: 'propose_edit',
  write: 'propose_edit',
  bash: 'run_command',
};

const MODEL_ALIASES: Readonly<Record<string, ModelTier>> = {
  haiku: 'fast',
  sonnet: 'balanced',
  opus: 'deep',
  fast: 'fast',
  balanced: 'balanced',
  deep: 'deep',
};

/** Splits `Read, Bash(npm test:*), Grep` or a YAML list; the parenthesised qualifiers are dropped. */
function toolNames(value: string | string[]): string[] {
  const items = Array.isArray(value) ? value : value.split(/,(?![^(]*\))/);
  return items.map((item) => item.replace(/\(.*\)$/, '').trim()).filter((item) => item !== '');
}

function resolveTools(value: string | string[], path: string, diagnostics: DefinitionDiagnostic[]): ToolName[] {
  const tools = new Set<ToolName>();
  for (const raw of toolNames(value)) {
    const name = isToolName(raw) ? raw : TOOL_ALIASES[raw.toLowerCase()];
    if (name) tools.add(name);
    else diagnostics.push({ path, severity: 'warning', message: `unknown tool "${raw}" ignored` });
  }
  return [...tools].sort();
}

/** Front matter validated by `schema` and a non-empty body, or undefined with an error diagnostic. */
function readDefinitionFile<T>(
  path: string,
  text: string,
  schema: z.ZodType<T>,
  bodyName: string,
  diagnostics: DefinitionDiagnostic[],
): { front: T; body: string } | undefined {
  const split = splitFrontMatter(text);
  if (!split.ok) {
    diagnostics.push({ path, severity: 'error', message: split.message });
    return undefined;
  }
  const parsed = schema.safeParse(split.data);
  if (!parsed.success) {
    diagnostics.push({
      path,
      severity: 'error',
      message: `invalid front matter: ${z.prettifyError(parsed.error).replace(/\n\s*/g, ' ')}`,
    });
    return undefined;
  }
  const body = split.body.trim();
  if (body === '') {
    diagnostics.push({ path, severity: 'error', message: `the body (${bodyName}) is empty` });
    return undefined;
  }
  return { front: parsed.data, body };
}

/** Parses one `.claude/agents/*.md` file over the built-ins; undefined (with an error diagnostic) when unusable. */
export function parseAgentFile(
  path: string,
  text: string,
  builtIns: ReadonlyMap<string, AgentDefinition>,
  diagnostics: DefinitionDiagnostic[],
): AgentDefinition | undefined {
  const file = readDefinitionFile(path, text, agentFrontMatter, 'the prompt', diagnostics);
  if (!file) return undefined;
  const { front, body: prompt } = file;
  const name = front.name ?? path.replace(/^.*\//, '').replace(/\.md$/, '');
  const base: AgentDefinition = builtIns.get(name) ?? {
    name,
    role: 'code-writer',
    description: '',
    prompt: '',
    tools: ['complete_task', 'list_directory', 'propose_edit', 'read_file', 'run_command', 'search_text'],
    modelTier: 'balanced',
    writeScope: defaultWriteScopes['code-writer'],
    tokenBudget: 400_000,
    source: { kind: 'built-in' },
  };
  let tools = front.tools === undefined ? base.tools : resolveTools(front.tools, path, diagnostics);
  // Workers must be able to report completion whatever the file lists; orchestrators never write.
  if (base.tools.includes('complete_task') && !tools.includes('complete_task'))
    tools = [...tools, 'complete_task' as const].sort();

  const definition: AgentDefinition = { ...base, name, prompt, tools, source: { kind: 'file', path } };
  if (front.description !== undefined) definition.description = front.description;
  if (front.model !== undefined && front.model !== 'inherit') {
    const tier = MODEL_ALIASES[front.model.toLowerCase()];
    if (tier) {
      definition.modelTier = tier;
      delete definition.model;
    } else {
      definition.model = front.model;
    }
  }
  return definition;
}

/** Parses one `.claude/commands/**\/*.md` file; `relName` is its path below commands/ without `.md`. */
export function parseCommandFile(
  path: string,
  relName: string,
  text: string,
  diagnostics: DefinitionDiagnostic[],
): CommandDefinition | undefined {
  const file = readDefinitionFile(path, text, commandFrontMatter, 'the command template', diagnostics);
  if (!file) return undefined;
  const { front, body: template } = file;
  const name = relName.split('/').join(':');
  const command: CommandDefinition = {
    name,
    description: front.description ?? firstLine(template),
    template,
    source: { kind: 'file', path },
  };
  if (front['argument-hint'] !== undefined) command.argumentHint = front['argument-hint'];
  if (front['allowed-tools'] !== undefined)
    command.allowedTools = resolveTools(front['allowed-tools'], path, diagnostics);
  return command;
}

/**
 * The built-in agents and commands with the project's overrides from `.claude/agents/<name>.md` and
 * `.claude/commands/**\/*.md` (`refactor/large-scale.md` → `refactor:large-scale`). A malformed file is
 * reported with its path and reason, and the built-in stays in force.
 */
export async function loadDefinitions(projectRoot: string, signal: AbortSignal): Promise<LoadedDefinitions> {
  const diagnostics: DefinitionDiagnostic[] = [];
  const agents = new Map(builtInAgents.map((a) => [a.name, a]));
  const commands = new Map(builtInCommands.map((c) => [c.name, c]));

  for (const rel of await markdownFiles(projectRoot, '.claude/agents', false, signal)) {
    const definition = parseAgentFile(
      rel,
      await readFile(join(projectRoot, rel), { encoding: 'utf8', signal }),
      agents,
      diagnostics,
    );
    if (definition) agents.set(definition.name, definition);
  }
  for (const rel of await markdownFiles(projectRoot, '.claude/commands', true, signal)) {
    const relName = rel.slice('.claude/commands/'.length, -'.md'.length);
    const command = parseCommandFile(
      rel,
      relName,
      await readFile(join(projectRoot, rel), { encoding: 'utf8', signal }),
      diagnostics,
    );
    if (command) commands.set(command.name, command);
  }
  return { agents, commands, diagnostics };
}

async function markdownFiles(root: string, dir: string, recursive: boolean, signal: AbortSignal): Promise<string[]> {
  signal.throwIfAborted();
  let entries;
  try {
    entries = await readdir(join(root, dir), { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory() && recursive) files.push(...(await markdownFiles(root, rel, true, signal)));
    else if (entry.isFile() && entry.name.endsWith('.md')) files.push(rel);
  }
  return files;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.slice(0, 120) ?? '';
}
