/** The kinds of checkpoint keystore.db keeps (its CHECK constraint lists the same). */
export type JournalCheckpointKind = 'startup' | 'interval' | 'shutdown' | 'restore';

/** A workspace's chain head as gateway.db's journal reports it. */
export interface JournalHead {
  workspaceId: string;
  workspaceSeq: number;
  position: number;
  hash: string;
}

/** One stored checkpoint, its signature checked against the signing key. */
export interface JournalCheckpoint extends JournalHead {
  checkpointId: number;
  kind: JournalCheckpointKind;
  recordedAt: string;
  restoredFrom: string | null;
  signature: 'valid' | 'invalid' | 'unknown_key';
}

export const CHECKPOINT_TAG = 'cairn.journal-checkpoint.v1';

/**
 * What is signed: every column but the key id and the signature, as netstrings
 * (`<UTF-8 byte length>:<bytes>,`, a NULL as `-,`), after a tag that keeps these signatures
 * apart from anything else. The id is signed too, so records cannot be renumbered or reordered.
 */
export function checkpointMessage(c: Omit<JournalCheckpoint, 'signature'>): Buffer {
  const field = (value: string | number | null): string => {
    if (value === null) return '-,';
    const text = String(value);
    return `${Buffer.byteLength(text, 'utf8')}:${text},`;
  };
  return Buffer.from(
    [CHECKPOINT_TAG, c.checkpointId, c.kind, c.recordedAt, c.workspaceId, c.workspaceSeq, c.position, c.hash, c.restoredFrom].map(field).join(''),
    'utf8',
  );
}
