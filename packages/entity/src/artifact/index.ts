import { ArtifactBindingEntity } from './artifact-binding-entity.js';
import { ArtifactBlobEntity } from './artifact-blob-entity.js';
import { ArtifactEntity } from './artifact-entity.js';
import { ArtifactExternalRefEntity } from './artifact-external-ref-entity.js';
import { ArtifactProjectionEntity } from './artifact-projection-entity.js';
import { ArtifactUploadSessionEntity } from './artifact-upload-session-entity.js';
import { ArtifactUsageEntity } from './artifact-usage-entity.js';
import { ArtifactVersionEntity } from './artifact-version-entity.js';

export { ArtifactBindingEntity } from './artifact-binding-entity.js';
export { ArtifactBlobEntity } from './artifact-blob-entity.js';
export { ArtifactEntity } from './artifact-entity.js';
export { ArtifactExternalRefEntity } from './artifact-external-ref-entity.js';
export { ArtifactProjectionEntity } from './artifact-projection-entity.js';
export { ArtifactUploadSessionEntity } from './artifact-upload-session-entity.js';
export { ArtifactUsageEntity } from './artifact-usage-entity.js';
export { ArtifactVersionEntity } from './artifact-version-entity.js';

export const ARTIFACT_ENTITIES = [
  ArtifactBlobEntity,
  ArtifactEntity,
  ArtifactVersionEntity,
  ArtifactBindingEntity,
  ArtifactProjectionEntity,
  ArtifactExternalRefEntity,
  ArtifactUploadSessionEntity,
  ArtifactUsageEntity,
] as const;
