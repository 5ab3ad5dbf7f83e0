import type { Migration } from '../runner/types.js';

/**
 * gateway.db v5: `turn_item.held_sealed`, the sealed tail of a streamed message that may be
 * the beginning of a secret (see crud's "Streamed text and secrets"). NULL unless something
 * is held; never plaintext. FROZEN: never edit after release.
 */
export const migration0005HeldText: Migration = {
  version: 5,
  name: 'held_text',
  up: ['ALTER TABLE "turn_item" ADD COLUMN "held_sealed" text'],
  down: ['ALTER TABLE "turn_item" DROP COLUMN "held_sealed"'],
  postgres: {
    up: ['ALTER TABLE "turn_item" ADD COLUMN "held_sealed" text'],
    down: ['ALTER TABLE "turn_item" DROP COLUMN "held_sealed"'],
  },
};
