import { CairnError, LIMITS, SECRET_KINDS, assertSecretAddress, checkSecretService, utf8ByteLength, type SecretKind } from '@cairn/protocol';
import type { SetSecretOptions } from '../keystore.js';

const LONE_SURROGATE_RE = /\p{Cs}/u;
const CONTROL_RE = /\p{Cc}/u;

/**
 * A value is opaque text. Errors name the rule, never the text: this is the one place where
 * a caller hands us the thing we must never echo.
 */
export function assertSecretValue(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new CairnError('invalid_params', 'secret value must be a string');
  if (value.length === 0) throw new CairnError('invalid_params', 'secret value must not be empty');
  // A lone surrogate has no UTF-8 form: it would come back as U+FFFD, a different value.
  if (LONE_SURROGATE_RE.test(value)) throw new CairnError('invalid_params', 'secret value contains a lone UTF-16 surrogate');
  const bytes = utf8ByteLength(value);
  if (bytes > LIMITS.secret.valueMaxBytes) {
    throw new CairnError('payload_too_large', `secret value is ${bytes} bytes of UTF-8, the limit is ${LIMITS.secret.valueMaxBytes}`, {
      details: { bytes, limit: LIMITS.secret.valueMaxBytes },
    });
  }
}

export function assertSetOptions(options: SetSecretOptions | undefined): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) throw new CairnError('invalid_params', 'secret options must be an object');
  const { kind, label } = options;
  if (kind !== undefined && !(SECRET_KINDS as readonly string[]).includes(kind)) {
    throw new CairnError('invalid_params', `secret kind must be one of ${SECRET_KINDS.join(', ')}`, { details: { field: 'kind' } });
  }
  if (label === undefined || label === null) return;
  if (typeof label !== 'string') throw new CairnError('invalid_params', 'secret label must be a string or null', { details: { field: 'label' } });
  if (label.length > LIMITS.secret.labelMaxLength || CONTROL_RE.test(label)) {
    throw new CairnError('invalid_params', `secret label must be at most ${LIMITS.secret.labelMaxLength} characters without control characters`, {
      details: { field: 'label' },
    });
  }
}

/** Everything `set` (and `setIfAbsent`) checks before touching storage: the address, the value, the options. */
export function assertSetArguments(service: string, id: string, value: unknown, options: SetSecretOptions | undefined): asserts value is string {
  assertSecretAddress(service, id);
  assertSecretValue(value);
  assertSetOptions(options);
}

export function assertServiceFilter(filter: { service?: string } | undefined): void {
  if (filter?.service === undefined) return;
  const problem = checkSecretService(filter.service);
  if (problem) throw new CairnError('invalid_secret_id', problem.message, { details: { field: problem.field, rule: problem.rule } });
}

export function isSecretKind(kind: string): kind is SecretKind {
  return (SECRET_KINDS as readonly string[]).includes(kind);
}
