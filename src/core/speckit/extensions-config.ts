import { LineCounter, parseDocument } from 'yaml';
import * as z from 'zod';
import { assertNever } from '../util/assert-never';
import { readTextFile } from './read-text-file';
import type { WorkspaceDiagnostic } from './workspace-diagnostic';

/** The hook events this product runs around an implementation, as spec-kit's /implement does. */
export const IMPLEMENT_HOOK_EVENTS = ['before_implement', 'after_implement'] as const;
export type ImplementHookEvent = (typeof IMPLEMENT_HOOK_EVENTS)[number];

/**
 * One registered hook from `.specify/extensions.yml` (`hooks.<event>: [ … ]`), as spec-kit's extension
 * system writes it. Defaults follow spec-kit's /implement: a hook without `enabled` is enabled; one
 * without `optional` is optional (asks before running); a non-empty `condition` is not evaluated by the
 * agent, so such a hook is not run automatically.
 */
export interface ExtensionHook {
  readonly event: ImplementHookEvent;
  readonly extension?: string;
  /** A command name such as `speckit.git.commit`. */
  readonly command: string;
  readonly description?: string;
  readonly prompt?: string;
  readonly optional: boolean;
  readonly enabled: boolean;
  readonly condition?: string;
  readonly priority?: number;
  /** 1-based line of the entry in extensions.yml. */
  readonly line: number;
}

export interface ExtensionsConfig {
  readonly file: string;
  readonly hooks: Readonly<Record<ImplementHookEvent, readonly ExtensionHook[]>>;
  readonly diagnostics: readonly WorkspaceDiagnostic[];
}

const hookSchema = z.object({
  extension: z.string().min(1).optional(),
  command: z.string().min(1),
  description: z.string().optional(),
  prompt: z.string().optional(),
  optional: z.boolean().optional(),
  enabled: z.boolean().optional(),
  condition: z.string().nullable().optional(),
  priority: z.number().optional(),
});

/** Parses extensions.yml; malformed YAML or entries become diagnostics naming the file and the reason. */
export function parseExtensionsConfig(text: string, file: string): ExtensionsConfig {
  const diagnostics: WorkspaceDiagnostic[] = [];
  const hooks: Record<ImplementHookEvent, ExtensionHook[]> = { before_implement: [], after_implement: [] };
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineOf = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  const report = (line: number, message: string): void => {
    diagnostics.push({ severity: 'warning', code: 'extensions-yaml-invalid', file, line, message });
  };
  if (document.errors.length > 0) {
    for (const error of document.errors)
      report(lineOf(error.pos[0]), `not valid YAML: ${error.message.split('\n')[0] ?? ''}`);
    return { file, hooks, diagnostics };
  }
  const root: unknown = document.toJS();
  if (root === null || root === undefined) return { file, hooks, diagnostics };
  if (!isRecord(root)) {
    report(1, 'expected a mapping at the top level');
    return { file, hooks, diagnostics };
  }
  const hooksValue = root['hooks'];
  if (hooksValue === undefined || hooksValue === null) return { file, hooks, diagnostics };
  if (!isRecord(hooksValue)) {
    report(lineOf(nodeOffset(document.get('hooks', true))), "'hooks' must be a mapping of event names to lists");
    return { file, hooks, diagnostics };
  }
  for (const event of IMPLEMENT_HOOK_EVENTS) {
    const entries = hooksValue[event];
    const eventNode = document.getIn(['hooks', event], true);
    if (entries === undefined || entries === null) continue;
    // Extension manifests declare a single hook as a mapping; the project file lists them. Accept both.
    const list: unknown[] = Array.isArray(entries) ? entries : [entries];
    list.forEach((entry, index) => {
      const entryNode = Array.isArray(entries) ? document.getIn(['hooks', event, index], true) : eventNode;
      const line = lineOf(nodeOffset(entryNode));
      const parsed = hookSchema.safeParse(entry);
      if (!parsed.success) {
        const reasons = parsed.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ');
        report(line, `hooks.${event}[${index}] ignored: ${reasons}`);
        return;
      }
      const h = parsed.data;
      hooks[event].push({
        event,
        command: h.command,
        optional: h.optional ?? true,
        enabled: h.enabled ?? true,
        line,
        ...(h.extension === undefined ? {} : { extension: h.extension }),
        ...(h.description === undefined ? {} : { description: h.description }),
        ...(h.prompt === undefined ? {} : { prompt: h.prompt }),
        ...(h.condition === undefined || h.condition === null || h.condition.trim() === ''
          ? {}
          : { condition: h.condition }),
        ...(h.priority === undefined ? {} : { priority: h.priority }),
      });
    });
  }
  return { file, hooks, diagnostics };
}

export type ExtensionsConfigRead =
  { readonly kind: 'absent' } | { readonly kind: 'read'; readonly config: ExtensionsConfig };

export async function readExtensionsConfig(file: string, signal: AbortSignal): Promise<ExtensionsConfigRead> {
  const read = await readTextFile(file, signal);
  switch (read.kind) {
    case 'missing':
      return { kind: 'absent' };
    case 'unreadable':
      return {
        kind: 'read',
        config: {
          file,
          hooks: { before_implement: [], after_implement: [] },
          diagnostics: [
            { severity: 'warning', code: 'extensions-yaml-unreadable', file, message: `cannot read: ${read.reason}` },
          ],
        },
      };
    case 'ok':
      return { kind: 'read', config: parseExtensionsConfig(read.text, file) };
    default:
      return assertNever(read);
  }
}

/** Hooks that may run without a human deciding: enabled, mandatory, and with no condition to evaluate. */
export function automaticHooks(config: ExtensionsConfig, event: ImplementHookEvent): ExtensionHook[] {
  return config.hooks[event].filter((h) => h.enabled && !h.optional && h.condition === undefined);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nodeOffset(node: unknown): number | undefined {
  if (typeof node === 'object' && node !== null && 'range' in node && Array.isArray(node.range)) {
    const start: unknown = node.range[0];
    return typeof start === 'number' ? start : undefined;
  }
  return undefined;
}
