import type { ConnectionChange } from '../client/types.js';
import type { CairnClient } from '../client/types.js';

/** Progress of one transfer: bytes acknowledged (upload) or written to the sink (download), of the total. */
export interface TransferProgress {
  transferred_bytes: number;
  total_bytes: number;
  /** Times the transfer resumed after a dropped connection. */
  resumes: number;
}

export type ProgressHandler = (progress: TransferProgress) => void;

/** Resolves on the next connection change to something other than `open`; `off` cancels it. */
export function connectionLost(client: CairnClient): { lost: Promise<ConnectionChange>; off: () => void } {
  let off = () => {};
  const lost = new Promise<ConnectionChange>((resolve) => {
    off = client.onConnectionChange((change) => {
      if (change.state !== 'open') resolve(change);
    });
  });
  return { lost, off };
}

/** A promise and its resolvers, for waits that several events may end. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
