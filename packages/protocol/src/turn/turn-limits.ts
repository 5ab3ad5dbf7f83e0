/** Size limits of turn events; crud re-checks them for library callers. */
export const TURN_LIMITS = {
  inputTextLength: 200_000,
  inputParts: 64,
  deltaLength: 64_000,
  itemTextLength: 1_000_000,
  messageLength: 4_000,
  /** Serialized JSON of one event's `payload` object. */
  payloadBytes: 256 * 1024,
  searchQueryLength: 500,
} as const;
