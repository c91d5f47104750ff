/** Returned by `on…` subscriptions. */
export interface Disposable {
  dispose(): void;
}

/**
 * The core's tiny typed event emitter: a private instance, a public `event` to subscribe with. A listener that
 * throws does not stop the others; its error goes to `onListenerError`.
 */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  readonly event = (listener: (value: T) => void): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
