export {
  SECRET_SERVICE_PATTERN,
  checkSecretId,
  checkSecretService,
  utf8ByteLength,
  type SecretIdProblem,
  type SecretIdRule,
} from './secret-rules.js';
export { assertSecretAddress } from './assert-secret-address.js';
export { SECRET_REF_SCHEME, formatSecretRef, isSecretRef, parseSecretRef, type ParsedSecretRef, type SecretRef } from './secret-ref.js';
export {
  SECRET_KINDS,
  SecretDeleteParams,
  SecretDeleteResult,
  SecretId,
  SecretKind,
  SecretLabel,
  SecretListParams,
  SecretListResult,
  SecretMetadata,
  SecretRefString,
  SecretService,
  SecretSetParams,
  SecretSetResult,
} from './secret-schemas.js';
export { secretMethods } from './secret-methods.js';
