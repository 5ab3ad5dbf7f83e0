import { assertSecretAddress } from '@cairn/protocol';
import { ChangeNotifier } from '../entry/change-notifier.js';
import { compareAddress } from '../entry/compare-address.js';
import { nextSecretInfo } from '../entry/secret-info.js';
import { assertServiceFilter, assertSetArguments } from '../entry/validate-entry.js';
import { closedKeystoreError } from '../errors/keystore-errors.js';
import type { Keystore, KeystoreListener, SecretInfo, SetIfAbsentResult, SetSecretOptions } from '../keystore.js';

export interface MemoryKeystoreOptions {
  now?: () => Date;
}

/**
 * The `Keystore` contract in memory, for tests of code that uses a keystore. Same rules, same
 * errors, same metadata as `SqliteKeystore` (one contract suite runs against both); nothing is
 * encrypted and nothing survives the process.
 */
export class MemoryKeystore implements Keystore {
  readonly #entries = new Map<string, { info: SecretInfo; value: string }>();
  readonly #notifier = new ChangeNotifier();
  readonly #now: () => Date;
  #closed = false;

  constructor(options: MemoryKeystoreOptions = {}) {
    this.#now = options.now ?? (() => new Date());
  }

  async set(service: string, id: string, value: string, options?: SetSecretOptions): Promise<SecretInfo> {
    this.#assertOpen();
    assertSetArguments(service, id, value, options);
    const key = entryKey(service, id);
    const info = nextSecretInfo(this.#entries.get(key)?.info, service, id, options, this.#now());
    this.#entries.set(key, { info, value });
    this.#notifier.emit({ type: 'set', info, value });
    return info;
  }

  async setIfAbsent(service: string, id: string, value: string, options?: SetSecretOptions): Promise<SetIfAbsentResult> {
    this.#assertOpen();
    assertSetArguments(service, id, value, options);
    const existing = this.#entries.get(entryKey(service, id));
    if (existing) return { value: existing.value, info: existing.info, created: false };
    return { value, info: await this.set(service, id, value, options), created: true };
  }

  async get(service: string, id: string): Promise<string | undefined> {
    this.#assertOpen();
    assertSecretAddress(service, id);
    return this.#entries.get(entryKey(service, id))?.value;
  }

  async delete(service: string, id: string): Promise<boolean> {
    this.#assertOpen();
    assertSecretAddress(service, id);
    const deleted = this.#entries.delete(entryKey(service, id));
    if (deleted) this.#notifier.emit({ type: 'delete', service, id });
    return deleted;
  }

  async list(filter?: { service?: string }): Promise<SecretInfo[]> {
    this.#assertOpen();
    assertServiceFilter(filter);
    return [...this.#entries.values()]
      .map((entry) => entry.info)
      .filter((info) => filter?.service === undefined || info.service === filter.service)
      .sort(compareAddress);
  }

  async exists(service: string, id: string): Promise<boolean> {
    this.#assertOpen();
    assertSecretAddress(service, id);
    return this.#entries.has(entryKey(service, id));
  }

  subscribe(listener: KeystoreListener): () => void {
    return this.#notifier.subscribe(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#entries.clear();
    this.#notifier.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw closedKeystoreError();
  }
}

function entryKey(service: string, id: string): string {
  return `${service}\u0000${id}`;
}
