import { CLOSE, type Session } from './session.js';

/** The open connections of this gateway. */
export class SessionRegistry {
  readonly #sessions = new Set<Session>();

  get size(): number {
    return this.#sessions.size;
  }

  add(session: Session): void {
    this.#sessions.add(session);
  }

  delete(session: Session): void {
    this.#sessions.delete(session);
  }

  [Symbol.iterator](): IterableIterator<Session> {
    return this.#sessions.values();
  }

  /** Closes every connection of a token (it was just revoked). */
  closeToken(tokenId: string): number {
    let closed = 0;
    for (const session of this.#sessions) {
      if (session.principal.token.token_id === tokenId) {
        session.close(CLOSE.unauthorized);
        closed++;
      }
    }
    return closed;
  }

  closeAll(how: { code: number; reason: string } = CLOSE.shuttingDown): void {
    for (const session of this.#sessions) session.close(how);
  }
}
