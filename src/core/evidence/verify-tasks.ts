/**
 * `verify`: for every ticked task of a tasks.md, does the evidence behind its tick hold on disk now?
 * - verified: each file its evidence changed still has its post-image, or was changed since only by later
 *   run edits (any run, any feature) that started from what was there;
 * - drifted: a file it changed was changed since outside any run (the file and the hunk are named);
 * - unverified: ticked with no evidence that still stands (by hand, another tool, a deleted journal, a text
 *   changed since the run ticked it, or evidence a rollback voided);
 * - open: not ticked.
 * Reads only: journals, blobs and the files; never git.
 */
import { access, readFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import type { JournalRecordOf, ReviewFinding } from '../../protocol/journal';
import type { Task, TasksDocument } from '../speckit/tasks-model';
import { parseTasks } from '../speckit/tasks-parser';
import { sha256 } from '../util/sha256';
import { isMissing } from '../util/fs-errors';
import { readEvidenceJournals, type EvidenceJournals, type RunRecords } from './evidence-journals';
import { ABSENT, buildFileHistory, editKey, followFile, type FileBreak, type FileHistory } from './file-history';

export type VerifyState = 'verified' | 'drifted' | 'unverified' | 'open';
export const VERIFY_STATES: readonly VerifyState[] = ['verified', 'drifted', 'unverified', 'open'];

export type TaskEvidenceRecord = JournalRecordOf<'task-evidence'>;

/** The evidence a verdict rests on, with where it lives and what came after it in its run. */
export interface EvidenceFound {
  runId: string;
  /** The run's root (absolute): the evidence's paths are relative to it. */
  root: string;
  /** The run's folder (absolute): `journal.jsonl`, `blobs/`. */
  runDir: string;
  record: TaskEvidenceRecord;
  /** The validation's reviews after the tick, with the findings on this task's files. */
  reviews: { source: 'code-review' | 'security-review'; finished: boolean; findings: ReviewFinding[] }[];
  /** The validation's last test run after the tick. */
  testsAfter?: Pick<
    Extract<RunRecords['records'][number], { type: 'command-run' }>,
    'argv' | 'outcome' | 'exitCode' | 'timedOut' | 'outputDigest' | 'at'
  >;
}

export interface FileDrift {
  /** Relative to the run's root, as in the evidence. */
  path: string;
  absolutePath: string;
  cause: 'outside-change' | 'forced-rollback' | 'unreadable';
  /** One sentence: what happened to the file. */
  message: string;
  /** From what the runs left to what the outside change made of it; absent when either side was not kept. */
  hunk?: string;
  /** The content the runs account for (sha256, or `absent`). */
  expectedHash: string;
  /** Where that content is kept, when it is (a blob of one of the runs). */
  expectedBlob?: string;
  currentHash: string;
}

export type UnverifiedReason = 'no-evidence' | 'text-changed' | 'voided';

export interface TaskVerification {
  key: string;
  id: string;
  /** The task's text after its id and labels. */
  description: string;
  /** 0-based line of the checkbox. */
  line: number;
  state: VerifyState;
  /** The files its evidence changed, relative to the run's root. */
  files: string[];
  /** One line a person reads. */
  detail: string;
  evidence?: EvidenceFound;
  drift?: FileDrift[];
  /** Later run edits the check went through ("changed since only by later runs"). */
  changedSince?: { runId: string; taskKey: string; path: string }[];
  unverifiedReason?: UnverifiedReason;
}

export interface VerifyReport {
  tasksPath: string;
  tasks: TaskVerification[];
  summary: Record<VerifyState, number>;
  /**
   * Evidence records for this tasks.md in any journal: 0 when no run ever ticked a task of it. The editor
   * flags ticks without evidence only where the orchestra has run the feature (or on request).
   */
  evidenceRecords: number;
  /** Journal lines that could not be read, and similar. */
  warnings: string[];
}

export interface VerifyInput {
  /** Absolute path of the tasks.md. */
  tasksPath: string;
  /** Its text (an editor's unsaved text); read from disk when absent. */
  text?: string;
  /** That text already parsed (the language server parses each version once); parsed here when absent. */
  document?: TasksDocument;
  /** Only these task ids; every task when absent. */
  taskIds?: readonly string[];
  /** Journals already read (a caller verifying several features); read from the tasks.md's folders up otherwise. */
  journals?: EvidenceJournals;
  /**
   * Writes a drift's hunk (a unified diff; `unifiedDiff` from the engine's diff part). Without it drift is
   * reported without hunks: the light facade loads no diff library.
   */
  hunk?: (path: string, before: string | null, after: string | null) => string;
}

export async function verifyTasks(input: VerifyInput): Promise<VerifyReport> {
  const tasksPath = resolve(input.tasksPath);
  const text = input.text ?? (await readFile(tasksPath, 'utf8'));
  const document = input.document ?? parseTasks(text);
  const journals = input.journals ?? (await readEvidenceJournals(resolve(tasksPath, '..')));
  const index = indexEvidence(journals.runs, tasksPath);
  const history = buildFileHistory(journals.runs);
  const disk = new DiskState(journals.runs, input.hunk);
  const only = input.taskIds === undefined ? undefined : new Set(input.taskIds);
  const selected = document.tasks.filter((task) => only === undefined || only.has(task.id));
  // Only a task with evidence to follow reads the disk; the rest (open, or ticked without any) are judged at once,
  // without a promise each and kept by position, not in a Map: a 5,000-task file is verified on every edit.
  const verdicts = selected.map((task) => withoutEvidence(task, index));
  const toFollow = selected.filter((_, position) => verdicts[position] === undefined);
  const followed = await Promise.all(toFollow.map((task) => verifyTask(task, index, history, disk)));
  let next = 0;
  const tasks = verdicts.map((verdict) => verdict ?? followed[next++]).filter((v) => v !== undefined);
  const summary: Record<VerifyState, number> = { verified: 0, drifted: 0, unverified: 0, open: 0 };
  for (const task of tasks) summary[task.state]++;
  const evidenceRecords = [...index.values()].reduce((n, list) => n + list.length, 0);
  return { tasksPath, tasks, summary, evidenceRecords, warnings: journals.warnings };
}

interface IndexedEvidence {
  run: RunRecords;
  record: TaskEvidenceRecord;
  /** Position in the run's records (later records may void it or review it). */
  position: number;
  voided?: string;
}

/** Evidence for this tasks.md by task id, oldest first (runs in time order, records in journal order). */
function indexEvidence(runs: readonly RunRecords[], tasksPath: string): Map<string, IndexedEvidence[]> {
  const byId = new Map<string, IndexedEvidence[]>();
  const ordered = [...runs].sort((a, b) => (firstAt(a) < firstAt(b) ? -1 : firstAt(a) > firstAt(b) ? 1 : 0));
  for (const run of ordered) {
    const open = new Map<string, IndexedEvidence[]>();
    run.records.forEach((record, position) => {
      if (record.type === 'evidence-voided') {
        for (const key of record.taskKeys) for (const e of open.get(key) ?? []) e.voided ??= record.reason;
        return;
      }
      if (record.type !== 'task-evidence' || resolve(run.root, record.tasksPath) !== tasksPath) return;
      const entry: IndexedEvidence = { run, record, position };
      open.set(record.taskKey, [...(open.get(record.taskKey) ?? []), entry]);
      byId.set(record.taskId, [...(byId.get(record.taskId) ?? []), entry]);
    });
  }
  return byId;
}

function firstAt(run: RunRecords): string {
  return run.records[0]?.at ?? '';
}

/**
 * A verdict built as one object literal. The editor judges every task of the file on each edit (5,000 tasks in
 * the benchmark), and in V8 (Node 20) a spread followed by new keys costs about a microsecond per key per object:
 * 30 ms an edit where this takes well under one.
 */
function verdictOf(task: Task, state: VerifyState, files: string[], detail: string): TaskVerification {
  return { key: task.key, id: task.id, description: task.description, line: task.line, state, files, detail };
}

/** The verdict of a task that is open or has no evidence at all; undefined when there is evidence to follow. */
function withoutEvidence(task: Task, index: Map<string, IndexedEvidence[]>): TaskVerification | undefined {
  if (!task.done) return verdictOf(task, 'open', [], 'not ticked');
  if (!index.has(task.id)) return unverified(task, [], []);
  return undefined;
}

async function verifyTask(
  task: Task,
  index: Map<string, IndexedEvidence[]>,
  history: FileHistory,
  disk: DiskState,
): Promise<TaskVerification> {
  const candidates = index.get(task.id) ?? [];
  const lineHash = sha256(task.lineText);
  const sameLine = candidates.filter((e) => e.record.lineHash === lineHash);
  // A rollback of any of its edits undoes the evidence even when the void record was never written.
  const standing = sameLine.filter(
    (e) =>
      e.voided === undefined &&
      !e.record.edits.some((edit) => history.rolledBack.has(editKey(e.run.runId, edit.proposalId))),
  );
  const chosen = standing[standing.length - 1];
  if (!chosen) return unverified(task, sameLine, candidates);

  const evidence = describeEvidence(chosen);
  const files = [...new Set(chosen.record.edits.map((e) => e.path))];
  const drift: FileDrift[] = [];
  const changedSince: { runId: string; taskKey: string; path: string }[] = [];
  for (const path of files) {
    const edits = chosen.record.edits.filter((e) => e.path === path);
    const last = edits[edits.length - 1];
    if (!last) continue;
    const absolutePath = resolve(chosen.run.root, path);
    const after = last.afterHash ?? ABSENT;
    const current = await disk.hashOf(absolutePath);
    const events = history.byPath.get(absolutePath) ?? [];
    const at = history.editAt.get(editKey(chosen.run.runId, last.proposalId));
    const verdict = followFile(events, at?.path === absolutePath ? at.index : events.length - 1, after, current);
    for (const event of verdict.later)
      if (event.kind === 'edit') changedSince.push({ runId: event.runId, taskKey: event.taskKey, path });
    if (verdict.kind === 'broken')
      drift.push(await describeDrift(path, absolutePath, verdict.break, current, chosen, disk));
  }
  const where = `run ${chosen.run.runId}`;
  const later = [...new Set(changedSince.map((c) => `${c.taskKey} (run ${c.runId})`))];
  const verdict =
    drift.length > 0
      ? verdictOf(task, 'drifted', files, drift.map((d) => d.message).join('; '))
      : verdictOf(
          task,
          'verified',
          files,
          files.length === 0
            ? `completed by ${where} without changing files${acceptedBy(chosen.record)}`
            : `${files.length === 1 ? 'its file holds' : `its ${files.length} files hold`} what ${where} wrote${later.length > 0 ? `, changed since only by ${later.join(', ')}` : ''}`,
        );
  verdict.evidence = evidence;
  if (drift.length > 0) verdict.drift = drift;
  if (changedSince.length > 0) verdict.changedSince = changedSince;
  return verdict;
}

/** How a tick that rests on the completion reviewer says so. */
function acceptedBy(record: TaskEvidenceRecord): string {
  return record.acceptance ? `, accepted by the completion reviewer: ${record.acceptance.reason}` : '';
}

function unverified(
  task: Task,
  sameLine: readonly IndexedEvidence[],
  sameId: readonly IndexedEvidence[],
): TaskVerification {
  const voided = sameLine[sameLine.length - 1];
  const earlier = sameId[sameId.length - 1];
  const [reason, detail]: [UnverifiedReason, string] = voided
    ? [
        'voided',
        `ticked, but its evidence from run ${voided.run.runId} was voided (${voided.voided ?? 'its edits were rolled back'})`,
      ]
    : earlier
      ? [
          'text-changed',
          `ticked, but its text changed since run ${earlier.run.runId} ticked it; that evidence is for the old text`,
        ]
      : [
          'no-evidence',
          'ticked without evidence: no run recorded doing it (ticked by hand or by another tool, or its journal was deleted)',
        ];
  const verdict = verdictOf(task, 'unverified', [], detail);
  verdict.unverifiedReason = reason;
  return verdict;
}

function describeEvidence(chosen: IndexedEvidence): EvidenceFound {
  const files = new Set(chosen.record.edits.map((e) => e.path));
  const after = chosen.run.records.slice(chosen.position + 1);
  const review = [...after].reverse().find((r) => r.type === 'evidence-review');
  const tests = [...after].reverse().find((r) => r.type === 'command-run' && r.taskKey === 'validation:tests');
  return {
    runId: chosen.run.runId,
    root: chosen.run.root,
    runDir: chosen.run.dir,
    record: chosen.record,
    reviews:
      review?.type === 'evidence-review'
        ? review.reviews.map((r) => ({
            source: r.source,
            finished: r.finished,
            findings: r.findings.filter((f) => f.path !== undefined && files.has(f.path)),
          }))
        : [],
    ...(tests?.type === 'command-run'
      ? {
          testsAfter: {
            argv: tests.argv,
            outcome: tests.outcome,
            exitCode: tests.exitCode,
            timedOut: tests.timedOut,
            at: tests.at,
            ...(tests.outputDigest !== undefined ? { outputDigest: tests.outputDigest } : {}),
          },
        }
      : {}),
  };
}

async function describeDrift(
  path: string,
  absolutePath: string,
  broken: FileBreak,
  current: string,
  chosen: IndexedEvidence,
  disk: DiskState,
): Promise<FileDrift> {
  const expectedBlob = broken.expected === ABSENT ? undefined : await disk.blobPath(broken.expected, chosen.run.dir);
  const base = {
    path,
    absolutePath,
    expectedHash: broken.expected,
    currentHash: current,
    ...(expectedBlob ? { expectedBlob } : {}),
  };
  if (current === UNREADABLE)
    return { ...base, cause: 'unreadable', message: `${path} can no longer be read as a file` };
  const hunk = await disk.diff(path, broken.expected, broken.found, absolutePath, current);
  const withHunk = hunk !== undefined ? { hunk } : {};
  if (broken.kind === 'forced-rollback')
    return {
      ...base,
      ...withHunk,
      cause: 'forced-rollback',
      message: `${path} was overwritten when run ${broken.rollback.runId} was rolled back by force`,
    };
  const found = broken.found;
  const when =
    'before' in broken && broken.before
      ? ` (before ${broken.before.taskKey} of run ${broken.before.runId} edited it)`
      : '';
  const what = found === ABSENT ? 'deleted' : broken.expected === ABSENT ? 'created' : 'changed';
  return { ...base, ...withHunk, cause: 'outside-change', message: `${path} was ${what} outside any run${when}` };
}

const UNREADABLE = 'unreadable';

/** Current file hashes (each file read once) and the runs' blobs, for hunks. */
class DiskState {
  private readonly hashes = new Map<string, Promise<string>>();
  private readonly texts = new Map<string, string | null>();

  constructor(
    private readonly runs: readonly RunRecords[],
    private readonly hunk: VerifyInput['hunk'],
  ) {}

  hashOf(absolutePath: string): Promise<string> {
    let hash = this.hashes.get(absolutePath);
    if (!hash) {
      hash = readFile(absolutePath).then(
        (bytes) => {
          // Kept for a drift hunk: small files only, the common case when a file changed.
          if (bytes.length <= 1024 * 1024) this.texts.set(absolutePath, bytes.toString('utf8'));
          return sha256(bytes);
        },
        (error: unknown) => (isMissing(error) ? ABSENT : UNREADABLE),
      );
      this.hashes.set(absolutePath, hash);
    }
    return hash;
  }

  /** The blob holding this content: in the given run's folder first, then any run's. */
  async blobPath(hash: string, preferredRunDir: string): Promise<string | undefined> {
    const dirs = [preferredRunDir, ...this.runs.map((r) => r.dir).filter((d) => d !== preferredRunDir)];
    for (const dir of dirs) {
      const path = `${dir}${sep}blobs${sep}${hash}`;
      try {
        await access(path);
        return path;
      } catch {
        // Not in this run's folder: try the next.
      }
    }
    return undefined;
  }

  /** The text of a content hash: `absent` is an empty side; the current file's own text when it is that hash. */
  private async textOf(hash: string, absolutePath: string, current: string): Promise<string | null | undefined> {
    if (hash === ABSENT) return null;
    if (hash === current && this.texts.has(absolutePath)) return this.texts.get(absolutePath);
    for (const run of this.runs) {
      try {
        return await readFile(`${run.dir}${sep}blobs${sep}${hash}`, 'utf8');
      } catch {
        // Not kept by this run.
      }
    }
    return undefined;
  }

  async diff(
    path: string,
    from: string,
    to: string,
    absolutePath: string,
    current: string,
  ): Promise<string | undefined> {
    const [before, after] = await Promise.all([
      this.textOf(from, absolutePath, current),
      this.textOf(to, absolutePath, current),
    ]);
    if (before === undefined || after === undefined || this.hunk === undefined) return undefined;
    return this.hunk(path, before, after);
  }
}

/** A path relative to `from`, with forward slashes (for display). */
export function displayPath(from: string, absolutePath: string): string {
  return relative(from, absolutePath).split(sep).join('/');
}
