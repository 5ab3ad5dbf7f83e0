import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { startVerifyProgress } from './verify-progress.js';

/** A stream that says it is a terminal and keeps what was drawn on it. */
function fakeTerminal(isTTY: boolean): NodeJS.WriteStream & { drawn: () => string } {
  let drawn = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      drawn += chunk.toString('utf8');
      done();
    },
  }) as unknown as NodeJS.WriteStream & { drawn: () => string };
  Object.assign(stream, { isTTY, columns: 100, rows: 24, drawn: () => drawn, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return stream;
}

describe('startVerifyProgress', () => {
  it('draws a bar on a terminal and clears it when stopped', async () => {
    const stream = fakeTerminal(true);
    const progress = startVerifyProgress({ json: false, home: '/srv/cairn', stream });
    await sleep(250);
    progress.stop();
    expect(stream.drawn()).toMatch(/verifying \/srv\/cairn \[ *=+ *\] \d+\.\ds/);
  });

  it('fills the bar with the fraction of journal rows once the walk reports', async () => {
    const stream = fakeTerminal(true);
    const progress = startVerifyProgress({ json: false, home: '/srv/cairn', stream });
    progress.update(500, 1000);
    await sleep(250);
    progress.stop();
    expect(stream.drawn()).toMatch(/verifying \/srv\/cairn \[={12} {12}\] 500\/1000 events \d+\.\ds/);
  });

  it('then fills it with the fraction of artifact blobs re-hashed', async () => {
    const stream = fakeTerminal(true);
    const progress = startVerifyProgress({ json: false, home: '/srv/cairn', stream });
    progress.update(1000, 1000);
    progress.updateBlobs(3, 4);
    await sleep(250);
    progress.stop();
    expect(stream.drawn()).toMatch(/verifying \/srv\/cairn \[={18} {6}\] 3\/4 blobs \d+\.\ds/);
  });

  it('draws nothing with --json, or when stderr is not a terminal', async () => {
    for (const [json, tty] of [[true, true], [false, false]] as const) {
      const stream = fakeTerminal(tty);
      const progress = startVerifyProgress({ json, home: '/srv/cairn', stream });
      await sleep(150);
      progress.stop();
      expect(stream.drawn()).toBe('');
    }
  });
});
