// Child process of the ingest crash test: opens the store (a gateway.db path or a postgres://
// URL) and a blob store whose probe SIGKILLs this process at the named step of the blob
// write (`temp_synced`: bytes fsynced in the temp, before the rename; `renamed`: at the
// content address and the directory fsynced, before the version is committed; `none`: no
// kill), then ingests `<srcRoot>/<path>` and prints the ArtifactRef as one JSON line.
import { LocalArtifactBlobStore, type BlobWriteStep } from '../blobs/local-blob-store.js';
import { ArtifactService } from '../service/artifact-service.js';
import { defaultServiceSettings, openStoreAt } from './temp-service.js';

const [database, dir, blobRoot, srcRoot, path, workspaceId, killAt] = process.argv.slice(2) as [string, string, string, string, string, string, BlobWriteStep | 'none'];

const store = await openStoreAt(database, dir);
try {
  const blobs = new LocalArtifactBlobStore({
    root: blobRoot,
    probe: (step) => {
      if (step === killAt) process.kill(process.pid, 'SIGKILL');
    },
  });
  const service = new ArtifactService({ store, blobs, settings: defaultServiceSettings() });
  const ref = await service.ingestPath({ workspace_id: workspaceId, root: srcRoot, path, source_kind: 'workspace_file' });
  process.stdout.write(`${JSON.stringify(ref)}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await store.close();
}
