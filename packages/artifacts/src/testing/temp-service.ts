import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openCrudStore, openPostgresCrudStore, type CrudStore } from '@cairn/crud';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { LocalArtifactBlobStore, type LocalArtifactBlobStoreOptions } from '../blobs/local-blob-store.js';
import { ArtifactService } from '../service/artifact-service.js';
import type { ArtifactServiceSettings } from '../service/settings.js';
import { DEFAULT_CAPTURE_IGNORE } from '@cairn/config';
import { tempDir } from './temp-dir.js';

export type TestBackend = 'sqlite' | 'postgres';
/** Set per jest project (jest.config.js), as in crud. */
export const TEST_BACKEND: TestBackend = (globalThis as { CAIRN_TEST_BACKEND?: TestBackend }).CAIRN_TEST_BACKEND ?? 'sqlite';

/** The defaults, as `[quotas]`, `[capture]` and `[artifacts]` give them. */
export function defaultServiceSettings(overrides: { quotas?: Partial<ArtifactServiceSettings['quotas']>; capture?: Partial<ArtifactServiceSettings['capture']>; artifacts?: Partial<ArtifactServiceSettings['artifacts']> } = {}): ArtifactServiceSettings {
  return {
    quotas: { max_artifact_bytes: 512 * 2 ** 20, workspace_artifact_bytes: 10 * 2 ** 30, workspace_artifact_files: 100_000, warn_at_fraction: 0.8, ...overrides.quotas },
    capture: {
      user_uploads: true,
      new_workspace_files: true,
      modified_workspace_files: false,
      generated_media: true,
      tool_outputs: true,
      task_results: true,
      agent_messages: false,
      max_files_per_turn: 32,
      max_file_bytes: 50 * 2 ** 20,
      max_turn_bytes: 128 * 2 ** 20,
      ignore: [...DEFAULT_CAPTURE_IGNORE],
      ...overrides.capture,
    },
    artifacts: { gc_grace_hours: 24, ...overrides.artifacts },
  };
}

export interface TempService {
  dir: string;
  root: string;
  /** The database: a gateway.db path, or a postgres:// URL. */
  database: string;
  store: CrudStore;
  blobs: LocalArtifactBlobStore;
  service: ArtifactService;
  /** Another store on the same database (after a child process wrote to it). */
  reopen(): Promise<CrudStore>;
  cleanup(): Promise<void>;
}

/** Opens a store by what `database` names (a path or a postgres:// URL), as a test's child process does too. */
export function openStoreAt(database: string, dir: string): Promise<CrudStore> {
  return database.startsWith('postgres://')
    ? openPostgresCrudStore({ url: database, archiveDir: join(dir, 'archive'), poolSize: 4 })
    : openCrudStore({ path: database, busyTimeoutMs: 10_000 });
}

/** A service on a fresh database (SQLite file or PostgreSQL per TEST_BACKEND) and a blob root in a temp dir. */
export async function openTempService(
  options: { settings?: ArtifactServiceSettings; clock?: () => Date; probe?: LocalArtifactBlobStoreOptions['probe'] } = {},
  backend: TestBackend = TEST_BACKEND,
): Promise<TempService> {
  const temp = tempDir();
  const database = backend === 'postgres' ? (await createTestDatabase('artifacts')).url : join(temp.path, 'gateway.db');
  const store = await openStoreAt(database, temp.path);
  const root = join(temp.path, 'artifacts');
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const blobs = new LocalArtifactBlobStore({ root, ...(options.probe ? { probe: options.probe } : {}) });
  const service = new ArtifactService({ store, blobs, settings: options.settings ?? defaultServiceSettings(), ...(options.clock ? { clock: options.clock } : {}) });
  const others: CrudStore[] = [];
  return {
    dir: temp.path,
    root,
    database,
    store,
    blobs,
    service,
    reopen: async () => {
      const other = await openStoreAt(database, temp.path);
      others.push(other);
      return other;
    },
    cleanup: async () => {
      for (const other of others) await other.close();
      await store.close();
      temp.remove();
    },
  };
}
