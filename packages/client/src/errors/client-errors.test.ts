import { describe, expect, it } from '@jest/globals';
import { CairnClientError, hasRpcErrorCode, isCairnClientError, isCairnRpcError, rpcErrorFromWire } from './client-errors.js';

describe('rpcErrorFromWire', () => {
  it('takes code from data.code and details from data.details', () => {
    const error = rpcErrorFromWire('turn/start', { code: -32011, message: 'quota', data: { code: 'quota_exceeded', details: { limit: 5 } } });
    expect(error).toMatchObject({ name: 'CairnRpcError', method: 'turn/start', rpcCode: -32011, code: 'quota_exceeded', details: { limit: 5 }, message: 'quota' });
    expect(hasRpcErrorCode(error, 'quota_exceeded')).toBe(true);
    expect(error).toBeInstanceOf(Error);
  });

  it('falls back to the code of the JSON-RPC number, then internal_error', () => {
    expect(rpcErrorFromWire('m', { code: -32601, message: 'x' }).code).toBe('method_not_found');
    expect(rpcErrorFromWire('m', { code: 1, message: 'x', data: { code: 'future' } })).toMatchObject({ code: 'internal_error', wireCode: 'future' });
    expect(rpcErrorFromWire('m', 'garbage')).toMatchObject({ code: 'internal_error', rpcCode: -32603 });
  });
});

describe('recognising errors by name and code', () => {
  it('works on plain objects (another copy of the module) and rejects look-alikes', () => {
    expect(isCairnRpcError({ name: 'CairnRpcError', code: 'not_found' })).toBe(true);
    expect(isCairnRpcError({ name: 'CairnRpcError', code: 'nope' })).toBe(false);
    expect(isCairnClientError(new CairnClientError('queue_full', 'x'), 'queue_full')).toBe(true);
    expect(isCairnClientError(new CairnClientError('queue_full', 'x'), 'client_closed')).toBe(false);
    expect(isCairnClientError(new Error('x'))).toBe(false);
  });
});
