import type { CrudStore } from '@cairn/crud';
import type { AuthToken } from '@cairn/protocol';

export interface TokenAuthenticatorOptions {
  /** How long a token's row is trusted before it is read again (revocation by another gateway shows within this), ms. */
  recheckMs?: number;
  now?: () => number;
}

/**
 * Bearer tokens against gateway.db: a handshake is authenticated by the token's SHA-256
 * (`store.tokens.authenticate`), and every later request of the connection re-checks that the
 * token is still valid: expiry against the clock, revocation against the row at most
 * `recheckMs` old. A revocation through this gateway takes effect at once (`forget`).
 */
export class TokenAuthenticator {
  readonly #store: CrudStore;
  /** How old a token's row may be before `stillValid` reads it again, ms. */
  readonly recheckMs: number;
  readonly #now: () => number;
  readonly #checked = new Map<string, { token: AuthToken; at: number }>();

  constructor(store: CrudStore, options: TokenAuthenticatorOptions = {}) {
    this.#store = store;
    this.recheckMs = options.recheckMs ?? 5000;
    this.#now = options.now ?? Date.now;
  }

  /** The token a bearer value names, if it is valid now. */
  async authenticate(secret: string): Promise<AuthToken | undefined> {
    const token = await this.#store.tokens.authenticate(secret);
    if (token) this.#checked.set(token.token_id, { token, at: this.#now() });
    return token;
  }

  /** Whether the token still holds: not expired, not revoked (as of at most `recheckMs` ago). */
  async stillValid(token: AuthToken): Promise<boolean> {
    const now = this.#now();
    if (token.expires_at !== null && Date.parse(token.expires_at) <= now) return false;
    const seen = this.#checked.get(token.token_id);
    if (seen && now - seen.at < this.recheckMs) return seen.token.revoked_at === null;
    let current: AuthToken;
    try {
      current = await this.#store.tokens.get({ token_id: token.token_id });
    } catch {
      this.#checked.delete(token.token_id);
      return false;
    }
    this.#checked.set(token.token_id, { token: current, at: now });
    return current.revoked_at === null && (current.expires_at === null || Date.parse(current.expires_at) > now);
  }

  /** Drops what is known of a token (it was just revoked here). */
  forget(tokenId: string): void {
    this.#checked.delete(tokenId);
  }
}
