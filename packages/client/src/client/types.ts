import type { AnyNotification, MethodName, NotificationName, NotificationParamsOf, ParamsOf, ResultOf } from '@cairn/protocol';
import type { CairnClientError, CairnRpcError } from '../errors/client-errors.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionChange {
  state: ConnectionState;
  /** Consecutive failed attempts so far (`reconnecting`). */
  attempt?: number;
  /** How long the client waits before the next attempt (`reconnecting`). */
  delayMs?: number;
  /** Why the client stopped (`closed`) or why the last socket went away (`reconnecting`). */
  error?: Error;
  /** The close code of the socket that went away, when there was one. */
  closeCode?: number;
}

/** One entry of `batch`: a method and its params, typed together. */
export type BatchEntry = { [M in MethodName]: { method: M; params: ParamsOf<M> } }[MethodName];

/** How one entry of a batch ended. */
export type BatchOutcome<M extends MethodName> = { ok: true; result: ResultOf<M> } | { ok: false; error: CairnRpcError | CairnClientError };

export type BatchOutcomes<E extends readonly BatchEntry[]> = {
  -readonly [K in keyof E]: E[K] extends { method: infer M extends MethodName } ? BatchOutcome<M> : never;
};

/** One function per method of `METHODS`: `client.rpc['thread/start'](params)`. */
export type RpcMethods = { readonly [M in MethodName]: (params: ParamsOf<M>) => Promise<ResultOf<M>> };

export type Unsubscribe = () => void;

export interface CairnClient {
  /** Sends one request; rejects with `CairnRpcError` (the gateway said no) or `CairnClientError` (no answer). */
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  /** Sends the entries as one JSON-RPC batch frame; never rejects: each entry says how it ended. */
  batch<const E extends readonly BatchEntry[]>(entries: E): Promise<BatchOutcomes<E>>;
  readonly rpc: RpcMethods;
  on<N extends NotificationName>(name: N, handler: (params: NotificationParamsOf<N>) => void): Unsubscribe;
  /** Every notification, including names a newer gateway sends that this build does not type. */
  onAny(handler: (notification: AnyNotification) => void): Unsubscribe;
  onConnectionChange(handler: (change: ConnectionChange) => void): Unsubscribe;
  /**
   * The workspace's cursor was older than the gateway's retention: the client has already
   * re-subscribed from the journal head (`headSeq`), and the app must reload what it shows
   * of that workspace (`thread/history`, `thread/get`).
   */
  onSnapshotRequired(handler: (workspaceId: string, retentionSeq: number | undefined, headSeq: number) => void): Unsubscribe;
  /** A resume after a reconnect failed for another reason (for example `forbidden_workspace`); the subscription stays and is tried again on the next reconnect. */
  onResumeError(handler: (workspaceId: string, error: CairnRpcError) => void): Unsubscribe;
  /** The highest `seq` delivered for the workspace; undefined before its first notification. */
  lastSeq(workspaceId: string): number | undefined;
  readonly state: ConnectionState;
  /**
   * Sends one binary frame (a `CAUP` upload chunk, see `encodeUploadFrame` in `@cairn/protocol`)
   * on the open socket; false when the socket is down (nothing was sent). The `upload` helper
   * uses it; most apps never need it.
   */
  sendBinary(frame: Uint8Array): boolean;
  /** Every binary frame the gateway sends (`CADN` download chunks); the `download` helper uses it. */
  onBinaryFrame(handler: (frame: Uint8Array) => void): Unsubscribe;
  /** Bytes queued on the current socket and not yet sent (0 when the transport does not say). */
  readonly bufferedAmount: number;
  /** Stops or restarts reading the socket where the transport allows (`ws`): how a slow download sink pushes back on the gateway. */
  pauseReading(paused: boolean): void;
  /** Resolves once connected (and resumed); rejects if the client closes first. */
  ready(): Promise<void>;
  /** Stops reconnecting, rejects every pending and queued call with `client_closed`, closes the socket. */
  close(): Promise<void>;
}
