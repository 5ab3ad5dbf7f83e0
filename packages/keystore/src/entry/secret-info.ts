import { formatSecretRef, type SecretMetadata } from '@cairn/protocol';
import type { SecretInfo, SetSecretOptions } from '../keystore.js';

/**
 * The metadata an entry has after a `set`: a new entry starts at version 1 with kind
 * `generic` and no label; an update bumps the version, keeps `createdAt`, and keeps kind and
 * label unless the caller gave them.
 */
export function nextSecretInfo(
  existing: SecretInfo | undefined,
  service: string,
  id: string,
  options: SetSecretOptions | undefined,
  now: Date,
): SecretInfo {
  const at = now.toISOString();
  return {
    ref: formatSecretRef(service, id),
    service,
    id,
    kind: options?.kind ?? existing?.kind ?? 'generic',
    label: options?.label !== undefined ? options.label : (existing?.label ?? null),
    version: existing ? existing.version + 1 : 1,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
  };
}

/** The wire DTO (`secret/set`, `secret/list` results) of an entry's metadata. */
export function toSecretMetadata(info: SecretInfo): SecretMetadata {
  return {
    ref: info.ref,
    service: info.service,
    id: info.id,
    kind: info.kind,
    label: info.label,
    version: info.version,
    created_at: info.createdAt,
    updated_at: info.updatedAt,
  };
}
