/**
 * Size limits shared by the wire schemas and by `crud`, which re-checks them for library
 * callers that never pass through the gateway. Changing one is a protocol change.
 */
export const LIMITS = {
  /** Client-suppliable ids (`workspace_id`, `thread_id`, `folder_id`, `turn_id`). */
  idLength: 128,
  nameLength: 200,
  titleLength: 500,
  summaryLength: 20_000,
  writableRoots: 64,
  pathLength: 4096,
  cursorLength: 1024,
  pageDefault: 50,
  pageMax: 500,
} as const;
