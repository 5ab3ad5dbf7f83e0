import { describe, expect, it } from '@jest/globals';
import { CairnError } from '@cairn/protocol';
import type { StoreContext } from '../store/store-context.js';
import { ensureDefaultWorkspace } from './ensure-default-workspace.js';

const winner = { workspace_id: 'ws_winner', name: 'Default', default_slot: 'default', created_at: 't', updated_at: 't' };

/** A store where another writer creates the default workspace between our check and our insert. */
function racingStore(): { store: StoreContext; reads: number } {
  const state = { reads: 0 };
  const store = {
    read: async () => (state.reads++ === 0 ? undefined : winner),
    write: async () => {
      throw new CairnError('conflict', 'the change conflicts with existing records');
    },
  } as unknown as StoreContext;
  return { store, get reads() { return state.reads; } };
}

describe('ensureDefaultWorkspace', () => {
  it('answers the row of the writer that won the race when its own insert is refused by the unique slot', async () => {
    const race = racingStore();
    expect(await ensureDefaultWorkspace(race.store)).toMatchObject({ workspace_id: 'ws_winner', is_default: true });
    expect(race.reads).toBe(2);
  });

  it('passes on any other failure', async () => {
    const store = {
      read: async () => undefined,
      write: async () => {
        throw new CairnError('storage_failed', 'disk full');
      },
    } as unknown as StoreContext;
    await expect(ensureDefaultWorkspace(store)).rejects.toMatchObject({ code: 'storage_failed' });
  });
});
