import { CairnError } from '@cairn/protocol';
import type { MasterKey } from '../crypto/master-key.js';
import type { KeyCandidates, MasterKeySource } from './master-key-source.js';

/**
 * A key handed in from outside (`CAIRN_MASTER_KEY`, or a test). Nothing is persisted: a
 * rotation needs the new key given explicitly, and the operator must put it where the old one
 * came from before the next start (the start-up error names the key id the database wants).
 */
export function createStaticMasterKeySource(key: MasterKey, options: { kind?: 'env' | 'static'; description?: string } = {}): MasterKeySource {
  let current = key;
  let staged: MasterKey | undefined;
  const description = options.description ?? 'injected master key';
  return {
    kind: options.kind ?? 'static',
    description,
    canGenerate: false,
    read(): KeyCandidates {
      return { current, next: staged };
    },
    create(): MasterKey {
      throw new CairnError('master_key_invalid', `${description} holds no key`);
    },
    stage(next) {
      staged = next;
    },
    promote(next) {
      current = next;
      staged = undefined;
    },
    discard() {
      staged = undefined;
    },
    files() {
      return [];
    },
  };
}
