/**
 * A run's event stream: every event is kept (a face that subscribes late replays `events()`) and handed to
 * each listener in order. A listener that throws is logged and kept: one broken face must not stop a run.
 */
import type { EngineEvent, LogLevel } from '../../../protocol/engine-events';
import { assertNever } from '../../util/assert-never';
import type { Logger } from '../../ports/logger';
import { redactDeep, redactSecrets } from '../../util/secrets';
import type { Disposable } from '../../util/emitter';

/** An event without its timestamp: the emitter stamps it with the run's clock. */
export type EventDraft = EngineEvent extends infer E ? (E extends EngineEvent ? Omit<E, 'at'> : never) : never;

export class RunEvents {
  private readonly history: EngineEvent[] = [];
  private readonly listeners = new Set<(event: EngineEvent) => void>();

  constructor(
    private readonly now: () => Date,
    private readonly logger: Logger,
  ) {}

  /** Emits an event; no string in it carries a secret (see util/secrets.ts). */
  emit(draft: EventDraft): EngineEvent {
    const event: EngineEvent = redactDeep<EngineEvent>({ ...draft, at: this.now().toISOString() });
    this.history.push(event);
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(new Error(`an engine event listener failed on '${event.type}'`, { cause: error }));
      }
    }
    return event;
  }

  log(level: LogLevel, text: string): void {
    const message = redactSecrets(text);
    this.emit({ type: 'log', level, message });
    switch (level) {
      case 'trace':
      case 'debug':
        this.logger.debug(message);
        return;
      case 'info':
        this.logger.info(message);
        return;
      case 'warn':
        this.logger.warn(message);
        return;
      case 'error':
        this.logger.error(message);
        return;
      default:
        assertNever(level);
    }
  }

  on(listener: (event: EngineEvent) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  all(): readonly EngineEvent[] {
    return this.history.slice();
  }
}
