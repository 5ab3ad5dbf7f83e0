import type { KeystoreChange, KeystoreListener } from '../keystore.js';

/** Fan-out of committed changes. A throwing listener never fails the write that already committed. */
export class ChangeNotifier {
  readonly #listeners = new Set<KeystoreListener>();

  subscribe(listener: KeystoreListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit(change: KeystoreChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // The change is durable whatever a listener does; its failure is its own to report.
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
