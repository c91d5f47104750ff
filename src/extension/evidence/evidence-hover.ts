/**
 * The evidence part of a task's hover in the Tasks tree, and the diffs it links to: what the task applied
 * (its first edit's original to its last edit's result, from the run's blobs) and, for drift, what the runs
 * left against the file now.
 */
import * as vscode from 'vscode';
import type { TaskVerification } from '../../core/engine/light';

/** Read-only documents of run blobs: `speckit-evidence:/<path>?<query>` with the run folder and the content hash. */
export const EVIDENCE_CONTENT_SCHEME = 'speckit-evidence';
export const OPEN_EVIDENCE_DIFF_COMMAND = 'speckit-orchestra.openEvidenceDiff';

export interface EvidenceDiffArgs {
  /** Relative to the run's root, for the title and the language. */
  path: string;
  runDir: string;
  /** sha256 of the left side, or null for an empty side (the file did not exist). */
  before: string | null;
  /** sha256 of the right side (null: deleted); absent: the file on disk now (`absolutePath`). */
  after?: string | null;
  absolutePath?: string;
  title: string;
}

function blobUri(path: string, runDir: string, hash: string | null): vscode.Uri {
  return vscode.Uri.from({
    scheme: EVIDENCE_CONTENT_SCHEME,
    path: `/${path}`,
    query: JSON.stringify({ runDir, hash }),
  });
}

export class EvidenceContentProvider implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    let query: unknown;
    try {
      query = JSON.parse(uri.query);
    } catch {
      return '';
    }
    const { runDir, hash } = (query ?? {}) as { runDir?: unknown; hash?: unknown };
    if (typeof runDir !== 'string' || typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return '';
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(vscode.Uri.file(runDir), 'blobs', hash));
      return new TextDecoder().decode(bytes);
    } catch {
      return `(this content was not kept by the run: ${hash})\n`;
    }
  }
}

export async function openEvidenceDiff(value: unknown): Promise<void> {
  const args = parseDiffArgs(value);
  if (!args) return;
  const left = blobUri(args.path, args.runDir, args.before);
  const right =
    args.after === undefined && args.absolutePath !== undefined
      ? vscode.Uri.file(args.absolutePath)
      : blobUri(args.path, args.runDir, args.after ?? null);
  await vscode.commands.executeCommand('vscode.diff', left, right, args.title, { preview: true });
}

function parseDiffArgs(value: unknown): EvidenceDiffArgs | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const hashOrNull = (x: unknown): x is string | null =>
    x === null || (typeof x === 'string' && /^[0-9a-f]{64}$/.test(x));
  if (typeof v['path'] !== 'string' || typeof v['runDir'] !== 'string' || typeof v['title'] !== 'string')
    return undefined;
  if (!hashOrNull(v['before'])) return undefined;
  if (v['after'] !== undefined && !hashOrNull(v['after'])) return undefined;
  if (v['absolutePath'] !== undefined && typeof v['absolutePath'] !== 'string') return undefined;
  return {
    path: v['path'],
    runDir: v['runDir'],
    before: v['before'],
    title: v['title'],
    ...(v['after'] !== undefined ? { after: v['after'] } : {}),
    ...(typeof v['absolutePath'] === 'string' ? { absolutePath: v['absolutePath'] } : {}),
  };
}

function commandLink(label: string, args: EvidenceDiffArgs): string {
  // encodeURIComponent leaves `(` and `)`, which would end the Markdown link early.
  const query = encodeURIComponent(JSON.stringify([args]))
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29');
  return `[${label}](command:${OPEN_EVIDENCE_DIFF_COMMAND}?${query})`;
}

const STATE_TITLE: Record<TaskVerification['state'], string> = {
  verified: '$(verified) Evidence holds',
  drifted: '$(warning) Evidence drifted',
  unverified: '$(question) No evidence',
  open: '',
};

const code = (text: string): string => `\`${text.replace(/`/g, '')}\``;

/** Appends the evidence section to a task's hover; the diff links need `isTrusted` for this command. */
export function appendEvidence(md: vscode.MarkdownString, verdict: TaskVerification): void {
  if (verdict.state === 'open') return;
  md.isTrusted = { enabledCommands: [OPEN_EVIDENCE_DIFF_COMMAND] };
  md.supportThemeIcons = true;
  md.appendMarkdown(`\n\n---\n\n**${STATE_TITLE[verdict.state]}** — `);
  md.appendText(verdict.detail);
  md.appendMarkdown('\n\n');
  const evidence = verdict.evidence;
  if (!evidence) return;
  const record = evidence.record;
  md.appendMarkdown(
    `Run ${code(evidence.runId)} · ${new Date(record.at).toLocaleString()} · ${record.models.map(code).join(', ') || 'no model call'} · $${record.cost.costUsd.toFixed(4)}${record.cost.estimated ? ' (estimated)' : ''}\n\n`,
  );
  for (const path of verdict.files) {
    const edits = record.edits.filter((e) => e.path === path);
    const first = edits[0];
    const last = edits[edits.length - 1];
    if (!first || !last) continue;
    const approvals = [
      ...new Set(
        edits.map((e) =>
          e.approval.by === 'policy'
            ? `policy ${e.approval.policy}`
            : e.approval.edited
              ? 'you, with your edits'
              : 'you',
        ),
      ),
    ].join(', ');
    const applied = commandLink('diff', {
      path,
      runDir: evidence.runDir,
      before: first.beforeHash,
      after: last.afterHash,
      title: `${path} (${verdict.id}: applied)`,
    });
    const drift = verdict.drift?.find((d) => d.path === path);
    const driftLink =
      drift && drift.expectedHash !== 'absent'
        ? ` · ${commandLink('drift', {
            path,
            runDir: evidence.runDir,
            before: drift.expectedHash,
            absolutePath: drift.absolutePath,
            title: `${path} (${verdict.id}: evidence ↔ now)`,
          })}`
        : '';
    md.appendMarkdown(
      `- ${code(path)} ${edits.map((e) => e.kind).join(' + ')} · approved by ${approvals} · ${applied}${driftLink}\n`,
    );
  }
  const lines: string[] = [];
  for (const command of record.commands)
    lines.push(
      `${code(command.argv.join(' '))} ${command.outcome === 'exited' ? `exit ${String(command.exitCode)}` : command.outcome}${command.outputDigest ? ` (output sha256 ${command.outputDigest.slice(0, 12)}…)` : ''}`,
    );
  if (evidence.testsAfter)
    lines.push(
      `tests after the run: ${code(evidence.testsAfter.argv.join(' '))} ${evidence.testsAfter.outcome === 'exited' ? `exit ${String(evidence.testsAfter.exitCode)}` : evidence.testsAfter.outcome}`,
    );
  for (const review of evidence.reviews)
    lines.push(
      `${review.source === 'code-review' ? 'code review' : 'security review'}: ${review.finished ? (review.findings.length === 0 ? 'no findings on its files' : `${review.findings.length} finding${review.findings.length === 1 ? '' : 's'} on its files`) : 'did not finish'}`,
    );
  if (lines.length > 0) md.appendMarkdown(`\n${lines.map((l) => `- ${l}`).join('\n')}\n`);
}
