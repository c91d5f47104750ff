/**
 * Maps a feature's spec onto its tasks: each functional requirement (`FR-001`), success criterion (`SC-001`)
 * and user story (`US1`) to the tasks that mention it — by id in the task's text, or by its `[US1]` label —
 * and to the files those tasks name or changed. The reviewer judges each one from this starting point.
 */
import type { SpecDocument } from '../../speckit/spec-model';
import type { CoverageItem } from '../facade-types';

export interface CoverageTask {
  key: string;
  text: string;
  story?: string;
  files: readonly string[];
  /** Only finished tasks cover anything; pass `true` to map the plan before a run. */
  done: boolean;
}

const REQUIREMENT_ID = /\b(?:FR|NFR|SC)-\d+[a-z]?\b/gi;

export function mapCoverage(
  spec: Pick<SpecDocument, 'functionalRequirements' | 'userStories'> & Partial<Pick<SpecDocument, 'successCriteria'>>,
  tasks: readonly CoverageTask[],
  changedFiles: (taskKey: string) => readonly string[] = () => [],
): CoverageItem[] {
  const byRequirement = new Map<string, CoverageTask[]>();
  for (const task of tasks) {
    for (const id of new Set(task.text.match(REQUIREMENT_ID)?.map((s) => s.toUpperCase()) ?? [])) {
      byRequirement.set(id, [...(byRequirement.get(id) ?? []), task]);
    }
  }
  const item = (id: string, kind: CoverageItem['kind'], text: string, covering: CoverageTask[]): CoverageItem => {
    const finished = covering.filter((t) => t.done);
    const files = [...new Set(finished.flatMap((t) => [...t.files, ...changedFiles(t.key)]))].sort();
    return { id, kind, text, taskKeys: covering.map((t) => t.key), files, covered: finished.length > 0 };
  };
  const items: CoverageItem[] = [];
  for (const fr of spec.functionalRequirements)
    items.push(item(fr.id, 'requirement', fr.text, byRequirement.get(fr.id.toUpperCase()) ?? []));
  for (const sc of spec.successCriteria ?? [])
    items.push(item(sc.id, 'success-criterion', sc.text, byRequirement.get(sc.id.toUpperCase()) ?? []));
  for (const story of spec.userStories) {
    const covering = tasks.filter(
      (t) =>
        t.story?.toUpperCase() === story.label.toUpperCase() || new RegExp(`\\b${story.label}\\b`, 'i').test(t.text),
    );
    items.push(item(story.label, 'user-story', story.title, covering));
  }
  return items;
}

/** One line per uncovered item, for findings and the run summary. */
export function describeUncovered(items: readonly CoverageItem[]): string[] {
  return items
    .filter((i) => !i.covered)
    .map((i) =>
      i.taskKeys.length === 0
        ? `${i.id} (${i.kind.replace('-', ' ')}) is covered by no task: ${i.text}`
        : `${i.id} is covered only by tasks that did not finish (${i.taskKeys.join(', ')}): ${i.text}`,
    );
}
