import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MemoryKeystore } from '../memory/memory-keystore.js';
import { HELD_TEXT_KEY, createHeldTextSealer } from './held-text-sealer.js';
import { createSecretRedactor, type SecretRedactor } from './secret-redactor.js';

const SECRET = 'sk-live-Zq81vXp2Lr';

/** Feeds `pieces` through `split` the way a store does (held tail + next piece), then flushes. */
function stream(redactor: SecretRedactor, pieces: readonly string[]): { released: string[]; final: string } {
  const released: string[] = [];
  let held = '';
  for (const piece of pieces) {
    const { release, hold } = redactor.split(held + piece);
    released.push(release);
    held = hold;
  }
  return { released, final: released.join('') + redactor.redact(held) };
}

describe('SecretRedactor.split', () => {
  let ks: MemoryKeystore;
  let redactor: SecretRedactor;
  beforeEach(async () => {
    ks = new MemoryKeystore();
    await ks.set('provider', 'live', SECRET);
    redactor = await createSecretRedactor(ks);
  });
  afterEach(async () => {
    redactor.close();
    await ks.close();
  });

  it('never releases a held value in parts, at every cut into two pieces', () => {
    const text = `the key is ${SECRET}, use it`;
    const start = text.indexOf(SECRET);
    for (let cut = 1; cut < text.length; cut++) {
      const { released, final } = stream(redactor, [text.slice(0, cut), text.slice(cut)]);
      expect(released.join('')).not.toContain(SECRET.slice(0, 6));
      expect(final).toBe('the key is [REDACTED], use it');
      // Only what could still become the value is held: the rest of the first piece is released at once.
      if (cut <= start) {
        const first = text.slice(0, cut);
        expect(first.startsWith(released[0]!)).toBe(true);
        expect(SECRET.startsWith(first.slice(released[0]!.length))).toBe(true);
      }
    }
  });

  it('never releases a held value in one-character pieces', () => {
    const text = `a${SECRET}b${SECRET}`;
    const { released, final } = stream(redactor, [...text]);
    expect(final).toBe('a[REDACTED]b[REDACTED]');
    // Every character of the value was held until the whole value was seen.
    expect(released.join('')).toBe('a[REDACTED]b[REDACTED]');
    expect(released.filter((r) => r !== '')).toEqual(['a', '[REDACTED]', 'b', '[REDACTED]']);
  });

  it('holds only the tail that is a beginning of a value, and releases it once the text diverges', () => {
    expect(redactor.split('costs sk-li')).toEqual({ release: 'costs ', hold: 'sk-li' });
    expect(redactor.split('sk-liX')).toEqual({ release: 'sk-liX', hold: '' });
    expect(redactor.split('plain text')).toEqual({ release: 'plain text', hold: '' });
  });

  it('holds the JSON-escaped form and overlapping beginnings (longest wins)', async () => {
    await ks.set('generic', 'rep', 'aaab-aaab-q');
    expect(redactor.split('xaaab-aaa')).toEqual({ release: 'x', hold: 'aaab-aaa' });
    await ks.set('generic', 'quoted', 'pa"ss-w0rd');
    expect(redactor.split('{"v":"pa\\"s')).toEqual({ release: '{"v":"', hold: 'pa\\"s' });
  });

  it('never ends a release between the two halves of a surrogate pair', () => {
    const { release, hold } = redactor.split('emoji \ud83d');
    expect(release).toBe('emoji ');
    expect(hold).toBe('\ud83d');
    expect(redactor.split(hold + '\ude00 ok')).toEqual({ release: '\ud83d\ude00 ok', hold: '' });
  });

  it('follows a value set after it was created', async () => {
    expect(redactor.split('token ghp_ne').hold).toBe('');
    await ks.set('mcp', 'gh', 'ghp_new_value_1');
    expect(redactor.split('token ghp_ne')).toEqual({ release: 'token ', hold: 'ghp_ne' });
  });
});

describe('createHeldTextSealer', () => {
  it('seals under a data key kept in the keystore, and reopens with a second instance', async () => {
    const ks = new MemoryKeystore();
    const sealer = await createHeldTextSealer(ks);
    const sealed = sealer.seal('sk-li');
    expect(sealed).toMatch(/^h1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('sk-li');
    expect(sealer.seal('sk-li')).not.toBe(sealed); // fresh nonce each time
    expect((await createHeldTextSealer(ks)).open(sealed)).toBe('sk-li');
    expect(await ks.exists(HELD_TEXT_KEY.service, HELD_TEXT_KEY.id)).toBe(true);
    await ks.close();
  });

  it('answers undefined for text sealed under another key, altered, or not sealed at all', async () => {
    const a = await createHeldTextSealer(new MemoryKeystore());
    const b = await createHeldTextSealer(new MemoryKeystore());
    const sealed = a.seal('held');
    expect(b.open(sealed)).toBeUndefined();
    const flipped = sealed.slice(0, -2) + (sealed.endsWith('AA') ? 'AB' : 'AA');
    expect(a.open(flipped)).toBeUndefined();
    expect(a.open('held')).toBeUndefined();
    expect(a.open('h1.')).toBeUndefined();
  });
});
