/**
 * The run journals as `verify` reads them: only the records evidence needs (edits, rollbacks, evidence, the
 * validation's reviews and tests), narrowed by hand rather than with the journal's schemas, so the check
 * loads no schema library (the CLI's `verify`, the extension's tree at activation, the language server).
 * The shapes are the journal's own types (`src/protocol/journal.ts`); a unit test holds both readers to the
 * same answer.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type {
  CompletionAcceptance,
  EvidenceApproval,
  EvidenceCommand,
  EvidenceEdit,
  JournalRecordOf,
  PreImageRef,
  ReviewFinding,
} from '../../protocol/journal';
import { WORKER_ROLES } from '../../protocol/engine-events';
import { runsDirFor, stateDirFor } from '../speckit/orchestra-paths';
import { describeFsError, isMissing } from '../util/fs-errors';

export type EvidenceRecord =
  | Pick<JournalRecordOf<'run-planned'>, 'type' | 'at' | 'runId' | 'featureId' | 'tasksPath'>
  | Pick<
      JournalRecordOf<'edit-applying'>,
      'type' | 'at' | 'proposalId' | 'taskKey' | 'path' | 'kind' | 'preImage' | 'writtenHash'
    >
  | JournalRecordOf<'edit-applied'>
  | JournalRecordOf<'edit-rolled-back'>
  | JournalRecordOf<'task-evidence'>
  | JournalRecordOf<'evidence-voided'>
  | JournalRecordOf<'evidence-review'>
  | Pick<
      JournalRecordOf<'command-run'>,
      'type' | 'at' | 'name' | 'argv' | 'taskKey' | 'outcome' | 'exitCode' | 'timedOut' | 'outputDigest'
    >;

/** One run folder's evidence records, in journal order. */
export interface RunRecords {
  runId: string;
  /** The folder the run's paths are relative to (absolute). */
  root: string;
  /** `<root>/.specify/orchestra/runs/<runId>`. */
  dir: string;
  records: EvidenceRecord[];
}

export interface EvidenceJournals {
  runs: RunRecords[];
  /** Lines or files that could not be read, and why. */
  warnings: string[];
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// Only these lines are parsed; `JSON.stringify` writes `"type":"…"` without blanks, and a quote inside a string
// value is always escaped, so the test cannot match inside another record's text.
const WANTED =
  /"type"\s*:\s*"(?:run-planned|edit-applying|edit-applied|edit-rolled-back|task-evidence|evidence-voided|evidence-review|command-run)"/;

/**
 * Every run folder that can hold evidence for files under `dir`: the state folder of `dir` and of each folder
 * above it (a run's root is the workspace folder it was started in, which may be any of them).
 */
export async function readEvidenceJournals(dir: string): Promise<EvidenceJournals> {
  const result: EvidenceJournals = { runs: [], warnings: [] };
  let root = resolve(dir);
  for (;;) {
    await readRunsOf(root, result);
    const parent = resolve(root, '..');
    if (parent === root) break;
    root = parent;
  }
  return result;
}

async function readRunsOf(root: string, into: EvidenceJournals): Promise<void> {
  const runsDir = runsDirFor(stateDirFor(root));
  let names: string[];
  try {
    names = (await readdir(runsDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && RUN_ID.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if (isMissing(error)) return;
    into.warnings.push(`cannot list ${runsDir}: ${messageOf(error)}`);
    return;
  }
  const runs = await Promise.all(
    names.map(async (runId): Promise<RunRecords | undefined> => {
      const dir = join(runsDir, runId);
      let text: string;
      try {
        text = await readFile(join(dir, 'journal.jsonl'), 'utf8');
      } catch (error) {
        if (!isMissing(error)) into.warnings.push(`cannot read the journal of run ${runId}: ${messageOf(error)}`);
        return undefined;
      }
      return { runId, root, dir, records: parseEvidenceRecords(text, runId, into.warnings) };
    }),
  );
  for (const run of runs) if (run) into.runs.push(run);
}

/** The evidence records of one journal's text; lines it cannot read become warnings (a torn last line is normal). */
export function parseEvidenceRecords(text: string, runId: string, warnings: string[]): EvidenceRecord[] {
  const records: EvidenceRecord[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (!WANTED.test(line)) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (index !== lines.length - 1) warnings.push(`run ${runId}, line ${index + 1}: not JSON, ignored`);
      return;
    }
    const record = narrowRecord(value);
    if (record) records.push(record);
    else warnings.push(`run ${runId}, line ${index + 1}: not a record this version understands, ignored`);
  });
  return records;
}

type Fields = Readonly<Record<string, unknown>>;

function fieldsOf(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

const SHA256 = /^[0-9a-f]{64}$/;
const str = (f: Fields, k: string): string | undefined => (typeof f[k] === 'string' ? f[k] : undefined);
const bool = (f: Fields, k: string): boolean | undefined => (typeof f[k] === 'boolean' ? f[k] : undefined);
const sha = (v: unknown): v is string => typeof v === 'string' && SHA256.test(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && v >= 0;
const oneOf =
  <T extends string>(values: readonly T[]) =>
  (v: unknown): v is T =>
    typeof v === 'string' && (values as readonly string[]).includes(v);

const isKind = oneOf(['create', 'modify', 'delete'] as const);
const isRole = oneOf(WORKER_ROLES);
const isPolicy = oneOf(['ask', 'auto-approve-tests', 'auto-approve-all'] as const);
const isCommandOutcome = oneOf(['exited', 'failed-to-start', 'denied'] as const);
const isSeverity = oneOf(['info', 'warning', 'error'] as const);
const isReviewSource = oneOf(['code-review', 'security-review'] as const);

function arrayOf<T>(value: unknown, item: (v: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: T[] = [];
  for (const v of value) {
    const narrowed = item(v);
    if (narrowed === undefined) return undefined;
    out.push(narrowed);
  }
  return out;
}

function narrowRecord(value: unknown): EvidenceRecord | undefined {
  const f = fieldsOf(value);
  const type = f && str(f, 'type');
  const at = f && str(f, 'at');
  if (!f || type === undefined || at === undefined) return undefined;
  switch (type) {
    case 'run-planned': {
      const runId = str(f, 'runId');
      const featureId = str(f, 'featureId');
      const tasksPath = str(f, 'tasksPath');
      return runId !== undefined && featureId !== undefined && tasksPath !== undefined
        ? { type, at, runId, featureId, tasksPath }
        : undefined;
    }
    case 'edit-applying': {
      const proposalId = str(f, 'proposalId');
      const taskKey = str(f, 'taskKey');
      const path = str(f, 'path');
      const kind = f['kind'];
      const preImage = narrowPreImage(f['preImage']);
      const writtenHash = f['writtenHash'];
      if (proposalId === undefined || taskKey === undefined || path === undefined || !isKind(kind) || !preImage)
        return undefined;
      if (writtenHash !== null && !sha(writtenHash)) return undefined;
      return { type, at, proposalId, taskKey, path, kind, preImage, writtenHash };
    }
    case 'edit-applied': {
      const proposalId = str(f, 'proposalId');
      return proposalId === undefined ? undefined : { type, at, proposalId };
    }
    case 'edit-rolled-back': {
      const proposalId = str(f, 'proposalId');
      const forced = bool(f, 'forced');
      return proposalId === undefined
        ? undefined
        : { type, at, proposalId, ...(forced !== undefined ? { forced } : {}) };
    }
    case 'task-evidence':
      return narrowTaskEvidence(f, at);
    case 'evidence-voided': {
      const taskKeys = arrayOf(f['taskKeys'], (v) => (typeof v === 'string' ? v : undefined));
      const reason = str(f, 'reason');
      return taskKeys && reason !== undefined ? { type, at, taskKeys, reason } : undefined;
    }
    case 'evidence-review': {
      const reviews = arrayOf(f['reviews'], (v) => {
        const r = fieldsOf(v);
        const source = r?.['source'];
        const finished = r && bool(r, 'finished');
        const findings = r && arrayOf(r['findings'], narrowFinding);
        return r && isReviewSource(source) && finished !== undefined && findings
          ? { source, finished, findings }
          : undefined;
      });
      return reviews ? { type, at, reviews } : undefined;
    }
    case 'command-run': {
      const name = str(f, 'name');
      const argv = arrayOf(f['argv'], (v) => (typeof v === 'string' ? v : undefined));
      const taskKey = str(f, 'taskKey');
      const outcome = f['outcome'];
      const exitCode = f['exitCode'];
      const timedOut = bool(f, 'timedOut');
      const outputDigest = f['outputDigest'];
      if (name === undefined || !argv || !isCommandOutcome(outcome) || timedOut === undefined) return undefined;
      if (exitCode !== null && !isInt(exitCode)) return undefined;
      if (outputDigest !== undefined && !sha(outputDigest)) return undefined;
      return {
        type,
        at,
        name,
        argv,
        outcome,
        exitCode,
        timedOut,
        ...(taskKey !== undefined ? { taskKey } : {}),
        ...(outputDigest !== undefined ? { outputDigest } : {}),
      };
    }
    default:
      return undefined;
  }
}

function narrowPreImage(value: unknown): PreImageRef | undefined {
  const f = fieldsOf(value);
  if (!f) return undefined;
  const kind = f['kind'];
  if (kind === 'none') return { kind };
  const hash = f['hash'];
  const size = f['size'];
  if (!sha(hash) || !isInt(size) || size < 0) return undefined;
  if (kind === 'stored') return { kind, hash, size };
  const limit = f['limit'];
  return kind === 'too-big' && isInt(limit) && limit >= 0 ? { kind, hash, size, limit } : undefined;
}

function narrowFinding(value: unknown): ReviewFinding | undefined {
  const f = fieldsOf(value);
  const severity = f?.['severity'];
  const message = f && str(f, 'message');
  if (!f || !isSeverity(severity) || message === undefined) return undefined;
  const path = str(f, 'path');
  const line = f['line'];
  if (line !== undefined && !(isInt(line) && line > 0)) return undefined;
  return { severity, message, ...(path !== undefined ? { path } : {}), ...(isInt(line) ? { line } : {}) };
}

function narrowApproval(value: unknown): EvidenceApproval | undefined {
  const f = fieldsOf(value);
  if (!f) return undefined;
  if (f['by'] === 'user') {
    const edited = bool(f, 'edited');
    return edited === undefined ? undefined : { by: 'user', edited };
  }
  const policy = f['policy'];
  return f['by'] === 'policy' && isPolicy(policy) ? { by: 'policy', policy } : undefined;
}

function narrowEdit(value: unknown): EvidenceEdit | undefined {
  const f = fieldsOf(value);
  if (!f) return undefined;
  const proposalId = str(f, 'proposalId');
  const path = str(f, 'path');
  const kind = f['kind'];
  const role = f['role'];
  const beforeHash = f['beforeHash'];
  const afterHash = f['afterHash'];
  const hunk = str(f, 'hunk');
  const hunkTruncated = bool(f, 'hunkTruncated');
  const approval = narrowApproval(f['approval']);
  if (proposalId === undefined || path === undefined || hunk === undefined || !isKind(kind) || !isRole(role))
    return undefined;
  if ((beforeHash !== null && !sha(beforeHash)) || (afterHash !== null && !sha(afterHash)) || !approval)
    return undefined;
  return {
    proposalId,
    path,
    kind,
    role,
    beforeHash,
    afterHash,
    hunk,
    ...(hunkTruncated !== undefined ? { hunkTruncated } : {}),
    approval,
  };
}

function narrowCommand(value: unknown): EvidenceCommand | undefined {
  const f = fieldsOf(value);
  if (!f) return undefined;
  const name = str(f, 'name');
  const argv = arrayOf(f['argv'], (v) => (typeof v === 'string' ? v : undefined));
  const outcome = f['outcome'];
  const exitCode = f['exitCode'];
  const timedOut = bool(f, 'timedOut');
  const outputDigest = f['outputDigest'];
  const at = str(f, 'at');
  if (name === undefined || !argv || !isCommandOutcome(outcome) || timedOut === undefined || at === undefined)
    return undefined;
  if ((exitCode !== null && !isInt(exitCode)) || (outputDigest !== null && !sha(outputDigest))) return undefined;
  return { name, argv, outcome, exitCode, timedOut, outputDigest, at };
}

function narrowTaskEvidence(f: Fields, at: string): JournalRecordOf<'task-evidence'> | undefined {
  const taskKey = str(f, 'taskKey');
  const taskId = str(f, 'taskId');
  const tasksPath = str(f, 'tasksPath');
  const lineHash = f['lineHash'];
  const edits = arrayOf(f['edits'], narrowEdit);
  const commands = arrayOf(f['commands'], narrowCommand);
  const models = arrayOf(f['models'], (v) => (typeof v === 'string' ? v : undefined));
  const cost = fieldsOf(f['cost']);
  const summary = str(f, 'summary');
  const acceptance = narrowAcceptance(f['acceptance']);
  if (taskKey === undefined || taskId === undefined || tasksPath === undefined || !sha(lineHash)) return undefined;
  if (!edits || !commands || !models || !cost) return undefined;
  const { inputTokens, outputTokens, cacheCreationInputTokens, cacheReadInputTokens, costUsd, estimated } = cost;
  // Journals written before the 1-hour cache writes were counted apart have none (as the journal schema says).
  const cacheCreation1hInputTokens = cost['cacheCreation1hInputTokens'] ?? 0;
  if (
    !isCount(inputTokens) ||
    !isCount(outputTokens) ||
    !isCount(cacheCreationInputTokens) ||
    !isCount(cacheCreation1hInputTokens) ||
    !isCount(cacheReadInputTokens) ||
    !isCount(costUsd) ||
    typeof estimated !== 'boolean'
  )
    return undefined;
  return {
    type: 'task-evidence',
    at,
    taskKey,
    taskId,
    tasksPath,
    lineHash,
    edits,
    commands,
    models,
    cost: {
      inputTokens,
      outputTokens,
      cacheCreationInputTokens,
      cacheCreation1hInputTokens,
      cacheReadInputTokens,
      costUsd,
      estimated,
    },
    ...(summary !== undefined ? { summary } : {}),
    ...(acceptance ? { acceptance } : {}),
  };
}

/** The completion reviewer's acceptance, when the record has a well-formed one. */
function narrowAcceptance(value: unknown): CompletionAcceptance | undefined {
  const f = fieldsOf(value);
  if (!f || f['by'] !== 'reviewer') return undefined;
  const reviewer = str(f, 'reviewer');
  const model = str(f, 'model');
  const reason = str(f, 'reason');
  const round = f['round'];
  if (reviewer === undefined || model === undefined || reason === undefined || !isInt(round) || round < 1)
    return undefined;
  return { by: 'reviewer', reviewer, model, reason, round };
}

function messageOf(error: unknown): string {
  return describeFsError(error);
}
