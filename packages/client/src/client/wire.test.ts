import { describe, expect, it } from '@jest/globals';
import { journalPosition, parseFrame } from './wire.js';

describe('parseFrame', () => {
  it('reads responses, errors, notifications and batch arrays', () => {
    expect(parseFrame('{"jsonrpc":"2.0","id":1,"result":{"a":1}}')).toEqual([{ kind: 'response', id: 1, ok: true, result: { a: 1 } }]);
    expect(parseFrame('{"jsonrpc":"2.0","id":2,"error":{"code":-1}}')).toEqual([{ kind: 'response', id: 2, ok: false, error: { code: -1 } }]);
    expect(parseFrame('{"jsonrpc":"2.0","method":"turn/started","params":{"seq":1}}')).toEqual([
      { kind: 'notification', method: 'turn/started', params: { seq: 1 } },
    ]);
    expect(parseFrame('[{"jsonrpc":"2.0","id":1,"result":null},{"jsonrpc":"2.0","id":2,"result":2}]')).toHaveLength(2);
  });

  it('yields nothing for what is not a message this client can use', () => {
    for (const text of ['not json', '42', '{"id":1,"result":1}', '{"jsonrpc":"2.0","id":"x","result":1}', '{"jsonrpc":"2.0","id":1}', '{"jsonrpc":"2.0","id":3,"method":"ping"}']) {
      expect(parseFrame(text)).toEqual([]);
    }
  });
});

describe('journalPosition', () => {
  it('reads workspace_id and seq, or nothing', () => {
    expect(journalPosition({ workspace_id: 'w', seq: 3 })).toEqual({ workspaceId: 'w', seq: 3 });
    expect(journalPosition({ workspace_id: 'w', seq: 1.5 })).toBeUndefined();
    expect(journalPosition({ seq: 3 })).toBeUndefined();
    expect(journalPosition(null)).toBeUndefined();
  });
});
