import { createHash } from 'node:crypto';
import type { RecordArtifactVersionParams } from '@cairn/protocol';
import type { CrudStore } from '../../store/crud-store.js';
import { openTempStore, steppingClock, type TempStore, type TempStoreOptions } from '../../testing/temp-store.js';

export const WS = 'w1';
export const OTHER_WS = 'w2';
export const THREAD = 't1';
export const OTHER_THREAD = 't2';
export const TURN = 'u1';
/** A thread of the other workspace. */
export const FOREIGN_THREAD = 'tx';

/** A deterministic lower-case hex SHA-256 for test bytes named `label`. */
export const sha = (label: string): string => createHash('sha256').update(label).digest('hex');

export interface ArtifactFixture extends TempStore {
  store: CrudStore;
  /** A version of `label`'s bytes, `size` bytes, a text file unless overridden. */
  record(label: string, overrides?: Partial<RecordArtifactVersionParams>): ReturnType<CrudStore['artifacts']['recordVersion']>;
  /** The artifact stream's journal events, in order. */
  artifactEvents(): Promise<Array<{ type: string; stream_id: string; thread_id: string | null; payload: unknown }>>;
}

/**
 * A store with two workspaces, a thread with one turn in the first, a second thread there,
 * and a thread in the other workspace; the clock steps one millisecond per read.
 */
export async function openArtifactFixture(options: TempStoreOptions = {}): Promise<ArtifactFixture> {
  const temp = await openTempStore({ clock: steppingClock(), ...options });
  const { store } = temp;
  await store.workspaces.create({ workspace_id: WS, name: 'W1' });
  await store.workspaces.create({ workspace_id: OTHER_WS, name: 'W2' });
  await store.threads.start({ workspace_id: WS, thread_id: THREAD });
  await store.threads.start({ workspace_id: WS, thread_id: OTHER_THREAD });
  await store.threads.start({ workspace_id: OTHER_WS, thread_id: FOREIGN_THREAD });
  await store.turns.start({ workspace_id: WS, thread_id: THREAD, turn_id: TURN, input: [{ type: 'text', text: 'make a chart' }] });
  return {
    ...temp,
    record: (label, overrides = {}) =>
      store.artifacts.recordVersion({
        workspace_id: WS,
        sha256: sha(label),
        size_bytes: 100,
        name: `${label}.txt`,
        mime_type: 'text/plain',
        kind: 'text',
        source_kind: 'agent_output',
        ...overrides,
      }),
    artifactEvents: async () => {
      const rows = await store.context.read((q) =>
        q.all<{ type: string; stream_id: string; thread_id: string | null; payload: string }>(
          "SELECT type, stream_id, thread_id, payload FROM journal_event WHERE stream_type = 'artifact' ORDER BY position",
        ),
      );
      return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }));
    },
  };
}
