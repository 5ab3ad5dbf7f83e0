import type { WriteContext } from '../store/store-context.js';

const TOUCH = `UPDATE thread
  SET last_activity_at = ?, updated_at = CASE WHEN updated_at < ? THEN ? ELSE updated_at END
  WHERE thread_id = ? AND last_activity_at < ?`;

/**
 * For other projectors (turns): call inside your own write job, so the activity stamp
 * commits with the event that caused it. Only ever moves the stamps forward (a replayed or
 * late event never moves a thread back down the list). Returns whether it moved.
 */
export async function touchThreadActivity(ctx: WriteContext, threadId: string, at: string): Promise<boolean> {
  return (await ctx.run(TOUCH, [at, at, at, threadId, at])).changes > 0;
}
