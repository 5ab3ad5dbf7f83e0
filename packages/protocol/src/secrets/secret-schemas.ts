import { Type, type Static } from 'typebox';
import { Timestamp } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';
import { SECRET_SERVICE_PATTERN } from './secret-rules.js';

/**
 * Wire shapes of secrets. A schema checks shape only: the id rules JSON Schema cannot say
 * (UTF-8 byte length, control characters, surrounding whitespace) are enforced by
 * `checkSecretId` in the keystore, and a ref's decoded parts by `parseSecretRef`.
 */

const strict = { additionalProperties: false } as const;

/** What a secret is for. Informational: the keystore treats every kind the same. */
export const SecretKind = Type.Union([
  Type.Literal('provider_api_key'),
  Type.Literal('mcp_env'),
  Type.Literal('mcp_header'),
  Type.Literal('token_signing_key'),
  Type.Literal('client_token'),
  Type.Literal('generic'),
]);
export type SecretKind = Static<typeof SecretKind>;
/** Every kind, read off the union. */
export const SECRET_KINDS: readonly SecretKind[] = Object.freeze(SecretKind.anyOf.map((kind) => kind.const));

export const SecretService = Type.String({ pattern: SECRET_SERVICE_PATTERN, description: 'Keystore service (a slug).' });

export const SecretId = Type.String({
  minLength: 1,
  maxLength: LIMITS.secret.idMaxBytes,
  pattern: '^[^/\\\\]+$',
  description: 'Keystore id within the service: trimmed, no slash or backslash, no control character, at most 1024 bytes of UTF-8.',
});

export const SecretRefString = Type.String({
  pattern: `^secret://${SECRET_SERVICE_PATTERN.slice(1, -1)}/[^/]+$`,
  description: 'secret://<service>/<percent-encoded id>',
});

/** Labels are shown in lists and logs: never a place for a secret. */
export const SecretLabel = Type.Union([Type.String({ maxLength: LIMITS.secret.labelMaxLength }), Type.Null()]);

/** One keystore entry as a client sees it. Never carries the value. */
export const SecretMetadata = Type.Object(
  {
    ref: SecretRefString,
    service: SecretService,
    id: SecretId,
    kind: SecretKind,
    label: SecretLabel,
    /** 1 on creation, +1 on every `secret/set` of an existing entry. A master-key rotation does not change it. */
    version: Type.Integer({ minimum: 1 }),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  strict,
);
export type SecretMetadata = Static<typeof SecretMetadata>;

export const SecretSetParams = Type.Object(
  {
    service: SecretService,
    id: SecretId,
    /** Written once to keystore.db (encrypted); never echoed in a result, an error or a log. */
    value: Type.String({ minLength: 1, maxLength: LIMITS.secret.valueMaxBytes }),
    /** Default `generic` on creation; kept on update when absent. */
    kind: Type.Optional(SecretKind),
    /** Kept on update when absent; `null` clears it. */
    label: Type.Optional(SecretLabel),
  },
  strict,
);
export const SecretSetResult = Type.Object({ secret: SecretMetadata }, strict);

export const SecretListParams = Type.Object({ service: Type.Optional(SecretService) }, strict);
export const SecretListResult = Type.Object({ secrets: Type.Array(SecretMetadata) }, strict);

export const SecretDeleteParams = Type.Object({ service: SecretService, id: SecretId }, strict);
/** `deleted: false` when there was no such entry (delete is idempotent). */
export const SecretDeleteResult = Type.Object({ deleted: Type.Boolean() }, strict);

export type SecretSetParams = Static<typeof SecretSetParams>;
export type SecretSetResult = Static<typeof SecretSetResult>;
export type SecretListParams = Static<typeof SecretListParams>;
export type SecretListResult = Static<typeof SecretListResult>;
export type SecretDeleteParams = Static<typeof SecretDeleteParams>;
export type SecretDeleteResult = Static<typeof SecretDeleteResult>;
