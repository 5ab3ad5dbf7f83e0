import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { loggerOptions, type LogScrubber } from './logger-options.js';

function capture(): { stream: Writable; lines: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { stream, lines: () => text };
}

describe('loggerOptions', () => {
  it('passes every line through the scrubber once it is set, whatever logged the value', async () => {
    const secret = 'sk-live-logger-0123456789abcdef';
    const scrubber: LogScrubber = {};
    const out = capture();
    const app = Fastify({ logger: { ...(loggerOptions('info', scrubber) as object), stream: out.stream } });
    app.log.info({ detail: `before the keystore opened: ${secret}` }, 'early');
    scrubber.redact = (line) => line.replaceAll(secret, '[REDACTED]');
    app.log.error({ err: new Error(`driver said ${secret}`) }, `message with ${secret}`);
    app.log.warn({ nested: { deeper: [secret] } }, 'nested');
    await app.close();
    const [early, ...later] = out.lines().trim().split('\n');
    // Before the keystore is open there is nothing to scrub with (no value is known yet).
    expect(early).toContain('early');
    expect(later).toHaveLength(2);
    for (const line of later) expect(line).not.toContain(secret);
    expect(later.join('\n')).toContain('[REDACTED]');
  });

  it('censors the bearer token of a request in both its header forms', async () => {
    const out = capture();
    const app = Fastify({ logger: { ...(loggerOptions('info') as object), stream: out.stream } });
    app.log.info({ req: { headers: { authorization: 'Bearer cairn_abc', 'sec-websocket-protocol': 'cairn.v1, cairn.bearer.cairn_abc' } } }, 'handshake');
    await app.close();
    expect(out.lines()).not.toContain('cairn_abc');
  });
});
