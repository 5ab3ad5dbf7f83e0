import { describe, expect, it } from '@jest/globals';
import { checkValue } from './check-value.js';
import { LIMITS } from './limits.js';
import { TURN_LIMITS } from '../turn/turn-limits.js';
import { TURN_RECORD_LIMITS } from '../turn-records/turn-record-common.js';
import { THREAD_TREE_MAX_THREADS } from '../thread/thread-tree.js';
import { SecretId, SecretService } from '../secrets/secret-schemas.js';
import { IdempotencyKey } from '../turn/turn-ids.js';
import { Attempt } from '../turn/turn-values.js';

describe('LIMITS', () => {
  it('is the one table: the older names are views of its sections, not copies', () => {
    expect(TURN_LIMITS).toBe(LIMITS.turn);
    expect(TURN_RECORD_LIMITS).toBe(LIMITS.turnRecords);
    expect(THREAD_TREE_MAX_THREADS).toBe(LIMITS.threadTreeMaxThreads);
  });

  it('is what the schemas enforce', () => {
    expect(checkValue(IdempotencyKey, 'k'.repeat(LIMITS.turn.idempotencyKeyLength)).ok).toBe(true);
    expect(checkValue(IdempotencyKey, 'k'.repeat(LIMITS.turn.idempotencyKeyLength + 1)).ok).toBe(false);
    expect(checkValue(Attempt, LIMITS.turn.attemptMax).ok).toBe(true);
    expect(checkValue(Attempt, LIMITS.turn.attemptMax + 1).ok).toBe(false);
    expect(checkValue(SecretService, 's'.repeat(LIMITS.secret.serviceMaxLength)).ok).toBe(true);
    expect(checkValue(SecretService, 's'.repeat(LIMITS.secret.serviceMaxLength + 1)).ok).toBe(false);
    expect(checkValue(SecretId, 'i'.repeat(LIMITS.secret.idMaxBytes + 1)).ok).toBe(false);
  });
});
