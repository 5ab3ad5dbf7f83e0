/**
 * Every stable error code Cairn puts on the wire, with its JSON-RPC number and a one-line
 * meaning. This table is the single source: the gateway maps codes to numbers through it and
 * `ERRORS.md` in this package is checked against it by a test.
 */
export const ERROR_CODES = {
  parse_error: { rpc: -32700, meaning: 'The frame is not valid JSON.' },
  invalid_request: { rpc: -32600, meaning: 'The JSON is not a valid JSON-RPC 2.0 request.' },
  method_not_found: { rpc: -32601, meaning: 'No method of that name.' },
  invalid_params: { rpc: -32602, meaning: 'Params do not match the method schema, or a value breaks a documented rule.' },
  internal_error: { rpc: -32603, meaning: 'An unexpected failure inside the gateway; details are in its log, never in the answer.' },
  unauthorized: { rpc: -32001, meaning: 'No valid token, or the token was revoked.' },
  session_expired: { rpc: -32002, meaning: 'The session or upload/download session has expired.' },
  forbidden_workspace: { rpc: -32003, meaning: "The token's scope does not include the workspace the request names." },
  not_found: { rpc: -32004, meaning: 'No record with that id in that workspace.' },
  conflict: { rpc: -32009, meaning: 'The record exists in a state that forbids the change (duplicate id, wrong parent, already terminal).' },
  invariant_violation: { rpc: -32010, meaning: 'The change would break a domain invariant (out-of-order or impossible event).' },
  quota_exceeded: { rpc: -32011, meaning: 'A workspace quota would be exceeded; nothing was written. details: quota, limit, used, requested.' },
  payload_too_large: { rpc: -32013, meaning: 'A frame, chunk or value is larger than the configured limit.' },
  checksum_mismatch: { rpc: -32014, meaning: 'A declared SHA-256 does not match the bytes received.' },
  snapshot_required: { rpc: -32015, meaning: 'The events asked for are older than the retention point: they were archived; read the current state instead.' },
  artifact_unavailable: {
    rpc: -32016,
    meaning: "The artifact exists but its status (deleted, quarantined, pending, failed) forbids the operation; details.status says which.",
  },
  invalid_frame: { rpc: -32017, meaning: 'A binary frame is malformed: truncated or oversize header, bad magic, header not JSON or not its schema, or a length that does not match the payload.' },
  rate_limited: { rpc: -32029, meaning: 'Too many requests; retry after the delay in details.' },
  busy: { rpc: -32030, meaning: 'The database stayed locked by another writer; retry.' },
  storage_failed: { rpc: -32050, meaning: 'The storage layer failed (I/O error, disk full); nothing was written.' },
  schema_too_new: { rpc: -32051, meaning: 'The database schema is newer than this build; refusing to touch it.' },
  integrity_failed: { rpc: -32052, meaning: 'An integrity check or hash-chain verification failed.' },
  unavailable: { rpc: -32053, meaning: 'The gateway is starting or shutting down and takes no new requests; reconnect and retry.' },
  commit_unknown: {
    rpc: -32054,
    meaning: 'The database connection was lost during COMMIT: the change may or may not have landed; retry with the same idempotency key.',
  },
  invalid_secret_id: { rpc: -32060, meaning: 'A secret service or id breaks the id rules (empty, too long, slash, control character).' },
  decryption_failed: { rpc: -32061, meaning: 'A stored secret failed authentication: tampered, moved to another row, or a wrong master key.' },
  master_key_invalid: { rpc: -32062, meaning: 'The master key is missing, malformed, or does not match the keystore.' },
  lease_lost: {
    rpc: -32070,
    meaning: 'The scheduler no longer holds the lease on that task run or delivery (it expired and was recovered, or another owner holds it): stop working on it.',
  },
} as const satisfies Record<string, { rpc: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function rpcCodeFor(code: ErrorCode): number {
  return ERROR_CODES[code].rpc;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
