import type { EngineEvent, WorkerRole } from '../../protocol/engine-events';

/**
 * What the Tasks tree remembers of a run beyond each task's status: the role that works (or worked) on a task and
 * the last thing said about it. While a worker runs that is its activity ("running read_file"); once it ends it is
 * its summary (done) or its reason (failed), so a finished task's hover tells what was done, not the last tool
 * call. vscode-free so the fold is unit-tested.
 */
export class TaskRunNotes {
  private readonly roleByTask = new Map<string, WorkerRole>();
  private readonly messageByTask = new Map<string, string>();
  /** A worker's task from its start: `worker-activity` and `worker-finished` name only the worker. */
  private readonly taskByWorker = new Map<string, string>();

  roleOf(taskKey: string): WorkerRole | undefined {
    return this.roleByTask.get(taskKey);
  }

  lastMessageOf(taskKey: string): string | undefined {
    return this.messageByTask.get(taskKey);
  }

  clear(): void {
    this.roleByTask.clear();
    this.messageByTask.clear();
    this.taskByWorker.clear();
  }

  note(event: EngineEvent): void {
    switch (event.type) {
      case 'worker-started':
        this.taskByWorker.set(event.workerId, event.taskKey);
        this.roleByTask.set(event.taskKey, event.role);
        return;
      case 'worker-activity': {
        const key = this.taskByWorker.get(event.workerId);
        if (key !== undefined) this.messageByTask.set(key, event.activity);
        return;
      }
      case 'worker-finished': {
        const key = this.taskByWorker.get(event.workerId);
        this.taskByWorker.delete(event.workerId);
        if (key !== undefined && event.summary !== undefined && event.summary !== '')
          this.messageByTask.set(key, event.summary);
        return;
      }
      case 'task-status':
        if (event.role !== undefined) this.roleByTask.set(event.taskKey, event.role);
        if (event.message !== undefined) this.messageByTask.set(event.taskKey, event.message);
        return;
      default:
        return;
    }
  }
}
