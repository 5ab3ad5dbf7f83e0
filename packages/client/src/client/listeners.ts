/** Event names of the session's one listener table. */
export const NOTIFICATION = 'notification:';
export const ANY = 'any';
export const CONNECTION = 'connection';
export const SNAPSHOT = 'snapshot';
export const RESUME_ERROR = 'resume-error';
export const BINARY = 'binary';

/**
 * Handler sets by event name. A handler that throws is reported and the others still run:
 * one buggy subscriber must not starve the rest of a notification.
 */
export class Listeners {
  private readonly byName = new Map<string, Set<(...args: never[]) => void>>();

  constructor(private readonly onError: (error: unknown) => void) {}

  add(name: string, handler: (...args: never[]) => void): () => void {
    let set = this.byName.get(name);
    if (!set) this.byName.set(name, (set = new Set()));
    set.add(handler);
    return () => void set.delete(handler);
  }

  emit(name: string, ...args: unknown[]): void {
    const set = this.byName.get(name);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        (handler as (...a: unknown[]) => void)(...args);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
